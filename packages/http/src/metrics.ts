// What /metrics serves. Next to a broker: the broker's registry (which carries the process
// metrics) and this server's HTTP series. As its own process (`brook http`): the HTTP series and
// the process metrics; the brokers are scraped on their own.
import type { FastifyInstance } from 'fastify'
import { Counter, Histogram, Registry } from 'prom-client'
import { processMetricsRegistry, type RunningBroker } from '@brook/broker'

/** The read-only view /metrics renders. */
export interface MetricsView {
  readonly contentType: string
  render: () => Promise<string>
}

/** Seconds; a REST call spans a millisecond (health) to the 30 s of a long poll. */
const BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10, 30]

export class HttpMetrics implements MetricsView {
  readonly registry = new Registry()
  readonly #requests = new Counter({ name: 'brook_http_requests_total', help: 'HTTP API requests answered, by method, route pattern and status code', labelNames: ['method', 'route', 'status'] as const, registers: [this.registry] })
  readonly #latency = new Histogram({ name: 'brook_http_request_duration_seconds', help: 'Time from an HTTP API request to its answer, by method and route pattern', labelNames: ['method', 'route'] as const, buckets: BUCKETS, registers: [this.registry] })
  readonly #broker: RunningBroker | undefined

  constructor (broker: RunningBroker | undefined) {
    this.#broker = broker
  }

  get contentType (): string {
    return this.registry.contentType
  }

  async render (): Promise<string> {
    const own = await this.registry.metrics()
    if (this.#broker !== undefined) return (await this.#broker.metrics.render()) + own
    return own + (await processMetricsRegistry().metrics())
  }

  /** Counts every answered request under its route pattern (bounded: unknown paths are one "unmatched" route). */
  observe (app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched'
      this.#requests.labels(request.method, route, String(reply.statusCode)).inc()
      this.#latency.labels(request.method, route).observe(reply.elapsedTime / 1000)
    })
  }
}

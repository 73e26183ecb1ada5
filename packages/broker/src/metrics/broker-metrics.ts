// The broker's Prometheus metrics: one prom-client Registry owned by the broker. The request
// path only increments counters and observes one histogram, through label children cached per
// api, topic and error code (a child's inc() skips prom-client's per-call label hashing); the
// gauges that describe state (partitions, log sizes, group lag, connections) are computed when
// the registry is scraped (state-gauges.ts).
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'
import { errorName } from '@brook/protocol'
import type { LogObserver } from '@brook/storage'
import { registerStateGauges, type MetricsSource } from './state-gauges.js'
import { countRecords } from './records-out.js'
import { registerClientMetrics } from './client-metrics.js'
import type { ClientTelemetry } from '../telemetry/client-telemetry.js'

/** Seconds. Few buckets keep each observation cheap; Kafka's request times span 0.1 ms to seconds. */
const LATENCY_BUCKETS = [0.0005, 0.002, 0.01, 0.05, 0.25, 1, 5]
/** Seconds: an fsync takes microseconds on a RAM disk, milliseconds on SSDs, up to seconds on a busy disk. */
const FSYNC_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

type Child = ReturnType<Counter<string>['labels']>
interface FetchedBytes { errorCode: number, bytes: number, records: readonly Buffer[] }
type HistogramChild = ReturnType<Histogram<string>['labels']>

export class BrokerMetrics {
  /** Everything the broker measures; /metrics renders it with the process metrics (render()). */
  readonly registry = new Registry()
  readonly #requests = new Counter({ name: 'brook_requests_total', help: 'Kafka requests answered, by API', labelNames: ['api'] as const, registers: [this.registry] })
  readonly #requestErrors = new Counter({ name: 'brook_request_errors_total', help: 'Kafka requests whose handler failed as a whole (answered with its error response), by API', labelNames: ['api'] as const, registers: [this.registry] })
  readonly #latency = new Histogram({ name: 'brook_request_duration_seconds', help: 'Time from a decoded Kafka request to its encoded response, by API (Produce includes the fsync of acks=all; Fetch includes the long poll)', labelNames: ['api'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry] })
  readonly #bytesIn = new Counter({ name: 'brook_topic_bytes_in_total', help: 'Record batch bytes appended by producers, by topic', labelNames: ['topic'] as const, registers: [this.registry] })
  readonly #messagesIn = new Counter({ name: 'brook_topic_messages_in_total', help: 'Records appended by producers, by topic', labelNames: ['topic'] as const, registers: [this.registry] })
  readonly #bytesOut = new Counter({ name: 'brook_topic_bytes_out_total', help: 'Record batch bytes returned to consumers by Fetch, by topic', labelNames: ['topic'] as const, registers: [this.registry] })
  readonly #messagesOut = new Counter({ name: 'brook_topic_messages_out_total', help: 'Records in the whole batches returned to consumers by Fetch (transaction markers excluded), by topic', labelNames: ['topic'] as const, registers: [this.registry] })
  readonly #produceErrors = new Counter({ name: 'brook_produce_errors_total', help: 'Produce partition answers with an error, by Kafka error name', labelNames: ['error'] as const, registers: [this.registry] })
  readonly #fetchErrors = new Counter({ name: 'brook_fetch_errors_total', help: 'Fetch partition answers with an error, by Kafka error name', labelNames: ['error'] as const, registers: [this.registry] })
  readonly #connectionsOpened = new Counter({ name: 'brook_connections_opened_total', help: 'Client connections accepted', registers: [this.registry] })
  readonly #fsync = new Histogram({ name: 'brook_log_fsync_duration_seconds', help: 'fsync passes of partition logs: cause produce is the group commit acks=all appends wait for, flush the flush.ms / flush.messages / shutdown flushes', labelNames: ['cause'] as const, buckets: FSYNC_BUCKETS, registers: [this.registry] })
  readonly #fsyncProduce = this.#fsync.labels('produce')
  readonly #fsyncFlush = this.#fsync.labels('flush')
  readonly #isrShrinks = new Counter({ name: 'brook_isr_shrinks_total', help: 'Committed ISR shrinks of partitions this broker leads (a follower fell behind replica.lag.time.max.ms, or the controller fenced its broker)', registers: [this.registry] })
  readonly #isrExpands = new Counter({ name: 'brook_isr_expands_total', help: 'Committed ISR expansions of partitions this broker leads (a follower caught up)', registers: [this.registry] })
  /** Handed to the log manager: storage times its fsyncs, this records them. */
  readonly storageObserver: LogObserver = {
    fsynced: (cause, ms) => { (cause === 'produce' ? this.#fsyncProduce : this.#fsyncFlush).observe(ms / 1000) }
  }
  readonly #requestChildren = new Map<string, { count: Child, errors: Child, latency: HistogramChild }>()
  readonly #inChildren = new Map<string, { bytes: Child, messages: Child }>()
  readonly #outChildren = new Map<string, { bytes: Child, messages: Child }>()
  readonly #produceErrorChildren = new Map<number, Child>()
  readonly #fetchErrorChildren = new Map<number, Child>()

  #renderPartitions: () => string = () => ''

  /** Prometheus text: this broker's series, the per-partition families, then the process's (CPU, memory, event-loop lag, GC). */
  async render (): Promise<string> {
    // The partition walk first: the partition totals of the registry read its snapshot.
    const partitions = this.#renderPartitions()
    return (await this.registry.metrics()) + partitions + (await processMetricsRegistry().metrics())
  }

  /** The content type of render()'s text. */
  get contentType (): string {
    return this.registry.contentType
  }

  /** Scrape-time gauges over the broker's state; called once the broker is wired. */
  attach (source: MetricsSource): void {
    this.#renderPartitions = registerStateGauges(this.registry, source)
  }

  /** Scrape-time series of the metrics clients push (KIP-714). */
  attachClientTelemetry (telemetry: ClientTelemetry): void {
    registerClientMetrics(this.registry, telemetry)
  }

  /** One answered request: its API name, how long it took (ms) and whether the handler failed. */
  request (api: string, ms: number, failed: boolean): void {
    let c = this.#requestChildren.get(api)
    if (c === undefined) {
      c = { count: this.#requests.labels(api), errors: this.#requestErrors.labels(api), latency: this.#latency.labels(api) }
      this.#requestChildren.set(api, c)
    }
    c.count.inc()
    c.latency.observe(ms / 1000)
    if (failed) c.errors.inc()
  }

  /** One appended produce batch. */
  produced (topic: string, bytes: number, records: number): void {
    let c = this.#inChildren.get(topic)
    if (c === undefined) {
      c = { bytes: this.#bytesIn.labels(topic), messages: this.#messagesIn.labels(topic) }
      this.#inChildren.set(topic, c)
    }
    c.bytes.inc(bytes)
    c.messages.inc(records)
  }

  /** Produce answers: counts the partitions that failed, by error. */
  produceAnswered (responses: ReadonlyArray<{ partitionResponses: ReadonlyArray<{ errorCode: number }> }>): void {
    for (const t of responses) for (const p of t.partitionResponses) if (p.errorCode !== 0) errorChild(this.#produceErrors, this.#produceErrorChildren, p.errorCode).inc()
  }

  /** One Fetch answer: bytes out per topic, failed partitions by error. */
  fetched (partitions: ReadonlyArray<{ partition: { topic: string } | undefined }>, results: ReadonlyArray<FetchedBytes>): void {
    for (let i = 0; i < results.length; i++) {
      const r = results[i] as FetchedBytes
      if (r.errorCode !== 0) {
        errorChild(this.#fetchErrors, this.#fetchErrorChildren, r.errorCode).inc()
        continue
      }
      const topic = partitions[i]?.partition?.topic
      if (topic === undefined || r.bytes === 0) continue
      let c = this.#outChildren.get(topic)
      if (c === undefined) {
        c = { bytes: this.#bytesOut.labels(topic), messages: this.#messagesOut.labels(topic) }
        this.#outChildren.set(topic, c)
      }
      c.bytes.inc(r.bytes)
      c.messages.inc(countRecords(r.records))
    }
  }

  /** A committed ISR change of a partition this broker leads (Kafka's IsrShrinksPerSec / IsrExpandsPerSec). */
  isrChanged (change: 'shrink' | 'expand'): void {
    (change === 'shrink' ? this.#isrShrinks : this.#isrExpands).inc()
  }

  connectionOpened (): void {
    this.#connectionsOpened.inc()
  }

  /** Drops a deleted topic's series, so a scrape does not keep reporting it. */
  forgetTopic (topic: string): void {
    this.#inChildren.delete(topic)
    this.#outChildren.delete(topic)
    this.#bytesIn.remove(topic)
    this.#messagesIn.remove(topic)
    this.#bytesOut.remove(topic)
    this.#messagesOut.remove(topic)
  }
}

let processMetrics: Registry | null = null

/**
 * Process metrics belong to the process, not to a broker: one set, made on first use, however
 * many brokers a process runs (test suites run dozens), since each set installs its own GC
 * observer and event-loop monitor for good.
 */
export function processMetricsRegistry (): Registry {
  if (processMetrics === null) {
    processMetrics = new Registry()
    collectDefaultMetrics({ register: processMetrics })
  }
  return processMetrics
}

function errorChild (counter: Counter<'error'>, cache: Map<number, Child>, code: number): Child {
  let c = cache.get(code)
  if (c === undefined) {
    c = counter.labels(errorName(code))
    cache.set(code, c)
  }
  return c
}

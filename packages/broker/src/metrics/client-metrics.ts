// KIP-714 client metrics on /metrics: the latest metrics each client instance pushed
// (PushTelemetry, kept by the telemetry store), as one gauge family labelled by client id,
// instance id, metric name and data point attributes. Decoded once per push (the OTLP bytes are
// replaced on the next one) and read at scrape time; the number of series is capped, the rest
// counted, so clients cannot blow up a scrape.
import { Gauge, type Registry } from 'prom-client'
import type { ClientTelemetry, PushedMetrics } from '../telemetry/client-telemetry.js'
import { OtlpError, otlpPoints, type OtlpPoint } from './otlp.js'

/** Series of brook_client_metric per scrape at most. */
export const MAX_CLIENT_METRIC_SERIES = 10_000

export function registerClientMetrics (registry: Registry, telemetry: ClientTelemetry): void {
  const registers = [registry]
  const decoded = new WeakMap<PushedMetrics, OtlpPoint[] | null>()
  const pointsOf = (pushed: PushedMetrics): OtlpPoint[] | null => {
    let points = decoded.get(pushed)
    if (points === undefined) {
      try {
        points = otlpPoints(pushed.metrics)
      } catch (err) {
        // Bytes that are not OTLP MetricsData: the push was accepted (Kafka does not parse it
        // either); the instance simply has no series, and is counted as undecodable.
        if (!(err instanceof OtlpError)) throw err
        points = null
      }
      decoded.set(pushed, points)
    }
    return points
  }
  let dropped = 0
  let undecodable = 0
  new Gauge({
    name: 'brook_client_metric',
    help: 'Latest value of a metric a client pushed through KIP-714 telemetry (gauges and sums), by client id, client instance id, metric name and the data point\'s attributes (k=v,...)',
    labelNames: ['client_id', 'client_instance_id', 'metric', 'attributes'] as const,
    registers,
    collect (this: Gauge<'client_id' | 'client_instance_id' | 'metric' | 'attributes'>) {
      this.reset()
      dropped = 0
      undecodable = 0
      let series = 0
      for (const instance of telemetry.instances()) {
        if (instance.latest === null) continue
        const points = pointsOf(instance.latest)
        if (points === null) {
          undecodable++
          continue
        }
        for (const p of points) {
          if (series >= MAX_CLIENT_METRIC_SERIES) {
            dropped++
            continue
          }
          this.labels(instance.clientId ?? '', instance.clientInstanceId, p.metric, p.attributes.map(([k, v]) => `${k}=${v}`).join(',')).set(p.value)
          series++
        }
      }
    }
  })
  new Gauge({
    name: 'brook_client_metric_dropped_series', help: `Client metric series left out of the last scrape (over ${MAX_CLIENT_METRIC_SERIES})`, registers,
    collect (this: Gauge) { this.set(dropped) }
  })
  new Gauge({
    name: 'brook_client_metric_undecodable_instances', help: 'Client instances whose last push was not OTLP MetricsData', registers,
    collect (this: Gauge) { this.set(undecodable) }
  })
  new Gauge({
    name: 'brook_client_telemetry_instances', help: 'Client instances known to KIP-714 telemetry (subscribed or pushed recently)', registers,
    collect (this: Gauge) { this.set(telemetry.instances().length) }
  })
}

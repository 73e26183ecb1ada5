// Scheduled delivery's Prometheus gauges, computed when /metrics is scraped: what is pending per
// topic and when the next record is due.
import { Gauge, type Registry } from 'prom-client'
import type { ScheduleStats } from './scheduler.js'

export function registerScheduleGauges (registry: Registry, stats: () => ScheduleStats): void {
  new Gauge({
    name: 'brook_scheduled_pending_records',
    help: 'Scheduled records accepted and not yet delivered, per topic (held transactions excluded).',
    labelNames: ['topic'] as const,
    registers: [registry],
    // prom-client calls collect with the gauge as `this`.
    collect (this: Gauge<'topic'>) {
      this.reset()
      for (const t of stats().topics) this.labels(t.topic).set(t.pending)
    }
  })
  new Gauge({
    name: 'brook_scheduled_next_due_timestamp_seconds',
    help: 'When the earliest pending scheduled record of the topic is due (Unix time); absent when none is pending.',
    labelNames: ['topic'] as const,
    registers: [registry],
    collect (this: Gauge<'topic'>) {
      this.reset()
      for (const t of stats().topics) if (t.nextDueMs !== null) this.labels(t.topic).set(t.nextDueMs / 1000)
    }
  })
}

// The router's Prometheus gauges, computed when /metrics is scraped (nothing on the routing path
// keeps them): routing lag and outcomes per exchange topic.
import { Gauge, type Registry } from 'prom-client'
import type { ExchangeRoutingStats } from './router.js'

export function registerExchangeGauges (registry: Registry, stats: () => ExchangeRoutingStats[]): void {
  const gauge = (name: string, help: string, pick: (s: ExchangeRoutingStats) => number): void => {
    // prom-client calls collect with the gauge as `this`.
    new Gauge({
      name,
      help,
      labelNames: ['exchange'] as const,
      registers: [registry],
      collect (this: Gauge<'exchange'>) {
        this.reset()
        for (const s of stats()) this.labels(s.exchange).set(pick(s))
      }
    })
  }
  gauge('brook_exchange_routing_lag_records', 'Records appended to the exchange topic and not yet routed (partitions this broker leads).', (s) => s.lag)
  gauge('brook_exchange_routed_records', 'Records routed to at least one destination since the broker started.', (s) => s.routed)
  gauge('brook_exchange_alternate_records', 'Records that matched no binding and went to the alternate topic since the broker started.', (s) => s.alternate)
  gauge('brook_exchange_unroutable_records', 'Records that matched no binding and had no alternate topic (dropped) since the broker started.', (s) => s.unroutable)
  gauge('brook_exchange_dropped_copies', 'Copies lost because their destination was deleted or kept refusing them, since the broker started.', (s) => s.droppedCopies)
}

// The exchange router's contract (docs/exchanges.md). Two implementations: the local router of a
// single broker (local-router.ts: every partition on this broker, the internal idempotent
// producer with durable intents) and the cluster router (cluster-router.ts: partitions this
// broker leads, copies sent to whichever broker leads each destination, one transaction per step
// with the routing position committed in it).
export type { ExchangeRoutingStats, RouterTopic } from './copies.js'
import type { ExchangeRoutingStats } from './copies.js'

export interface ExchangeRouter {
  /** Per exchange with partitions this broker routes: lag and counts since start. */
  stats: () => ExchangeRoutingStats[]
  /** Stops routing; an unfinished step is finished (or taken over) after the next start. */
  close: () => Promise<void>
}

/** Makes an exchange's routing positions (the next offset to route, per partition) visible to admin tools. */
export type PublishPositions = (exchange: string, positions: ReadonlyArray<{ partition: number, offset: number }>) => Promise<void>

/**
 * The consumer group whose committed offsets are an exchange's routing positions, so any tool
 * that shows a group's lag shows the routing lag.
 */
export function exchangePositionGroup (exchange: string): string {
  return `brook.exchange.${exchange}`
}

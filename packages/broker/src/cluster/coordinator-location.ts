// Cluster mode: where a coordinator lives. The group or transaction coordinator of a key is the
// leader of the key's partition of `__consumer_offsets` / `__transaction_state`, at the endpoint
// of the listener the client came in on (FindCoordinator).
import { NO_LEADER } from '@brook/metadata'
import type { RequestContext } from '../server/request-context.js'
import { endpointFor } from './endpoints.js'

/** The leader of `topic`-`partition` from this broker's snapshot; null while there is none. */
export function coordinatorLeader (ctx: RequestContext, topic: string, partition: number): { nodeId: number, host: string, port: number } | null {
  const snapshot = ctx.broker.cluster?.snapshot()
  const leader = snapshot?.topics.get(topic)?.partitions[partition]?.leader ?? NO_LEADER
  if (snapshot === undefined || leader === NO_LEADER) return null
  const reg = snapshot.brokers.get(leader)
  const endpoint = reg === undefined ? null : endpointFor(reg, ctx.broker.listenerName ?? null)
  return endpoint === null ? null : { nodeId: leader, host: endpoint.host, port: endpoint.port }
}

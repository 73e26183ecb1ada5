// KIP-951: a broker refusing a produce or fetch with NOT_LEADER_OR_FOLLOWER tells the client who
// leads now (the leader id and epoch per partition, and that leader's endpoint), so the client
// retries there without a metadata round trip first. Taken from this broker's latest snapshot.
import type { RequestContext } from '../server/request-context.js'
import { endpointFor } from './endpoints.js'

export interface LeaderHint {
  leaderId: number
  leaderEpoch: number
}

export function leaderHint (ctx: RequestContext, topic: string, index: number): LeaderHint | null {
  const p = ctx.broker.cluster?.snapshot().topics.get(topic)?.partitions[index]
  return p === undefined ? null : { leaderId: p.leader, leaderEpoch: p.leaderEpoch }
}

export function leaderEndpoints (ctx: RequestContext, leaderIds: Iterable<number>): Array<{ nodeId: number, host: string, port: number, rack: string | null }> {
  const snapshot = ctx.broker.cluster?.snapshot()
  if (snapshot === undefined) return []
  const out = []
  for (const id of new Set(leaderIds)) {
    const reg = snapshot.brokers.get(id)
    const endpoint = reg === undefined ? null : endpointFor(reg, ctx.broker.listenerName ?? null)
    if (reg !== undefined && endpoint !== null) out.push({ nodeId: id, host: endpoint.host, port: endpoint.port, rack: reg.rack })
  }
  return out
}

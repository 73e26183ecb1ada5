// The controller's automatic leadership rebalance (auto.leader.rebalance.enable): every
// leader.imbalance.check.interval.seconds, for each broker that may lead, the share of the
// partitions it is the preferred leader of (first replica) that another broker leads; when that
// share is above leader.imbalance.per.broker.percentage, those partitions get a preferred
// election (only where the preferred replica is in the ISR: it is the one that decides).
import { NO_LEADER, type MetadataSnapshot } from '@brook/metadata'
import type { ElectionTarget } from './controller-elections.js'

export function imbalancedPartitions (snapshot: MetadataSnapshot, percentage: number, canLead: (id: number) => boolean): ElectionTarget[] {
  const preferredOf = new Map<number, Array<{ target: ElectionTarget, led: boolean, eligible: boolean }>>()
  for (const topic of snapshot.topics.values()) {
    for (const p of topic.partitions) {
      const first = p.replicas[0]
      if (first === undefined) continue
      const list = preferredOf.get(first) ?? []
      list.push({ target: { topic: topic.name, partition: p.partition }, led: p.leader === first, eligible: p.leader !== NO_LEADER && p.isr.includes(first) })
      preferredOf.set(first, list)
    }
  }
  const out: ElectionTarget[] = []
  for (const [broker, partitions] of preferredOf) {
    if (!canLead(broker)) continue
    const notLed = partitions.filter((p) => !p.led)
    if (notLed.length === 0 || (notLed.length * 100) / partitions.length <= percentage) continue
    for (const p of notLed) if (p.eligible) out.push(p.target)
  }
  return out
}

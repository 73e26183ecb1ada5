// Partition assignors, under the protocol names other clients use, so members of different
// clients can share a group: Java's "range", "roundrobin" and "cooperative-sticky", and kafkajs's
// "RoundRobinAssigner" (its default, which spreads each topic's partitions by id modulo the member
// count). The group leader runs the assignor the group chose for everyone.

export interface TopicPartitions { topic: string, partitions: number[] }

export interface AssignorMember {
  memberId: string
  topics: string[]
  /** Partitions the member owned in the previous generation (subscription v1+). */
  owned: TopicPartitions[]
}

/** memberId -> topic -> partitions. */
export type Assignment = Map<string, Map<string, number[]>>

export interface Assignor {
  readonly name: string
  /** Cooperative assignors move a partition in two rebalances: revoke first, then assign. */
  readonly cooperative: boolean
  /** Subscription version to send (kafkajs reads version 0 only). */
  readonly subscriptionVersion: number
  assign: (members: AssignorMember[], partitionCounts: ReadonlyMap<string, number>) => Assignment
}

function emptyAssignment (members: AssignorMember[]): Assignment {
  const out: Assignment = new Map()
  for (const m of members) out.set(m.memberId, new Map())
  return out
}

function give (a: Assignment, memberId: string, topic: string, partition: number): void {
  const byTopic = a.get(memberId)!
  let list = byTopic.get(topic)
  if (list === undefined) { list = []; byTopic.set(topic, list) }
  list.push(partition)
}

const byId = (a: AssignorMember, b: AssignorMember): number => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0)

/** Java's RangeAssignor: per topic, consecutive ranges; the first (partitions % members) members get one more. */
export const rangeAssignor: Assignor = {
  name: 'range',
  cooperative: false,
  subscriptionVersion: 1,
  assign (members, counts) {
    const out = emptyAssignment(members)
    const topics = new Set(members.flatMap((m) => m.topics))
    for (const topic of [...topics].sort()) {
      const count = counts.get(topic) ?? 0
      const subscribers = members.filter((m) => m.topics.includes(topic)).sort(byId)
      if (subscribers.length === 0) continue
      const per = Math.floor(count / subscribers.length)
      const extra = count % subscribers.length
      let next = 0
      subscribers.forEach((m, i) => {
        const n = per + (i < extra ? 1 : 0)
        for (let k = 0; k < n; k++) give(out, m.memberId, topic, next++)
      })
    }
    return out
  }
}

/** Java's RoundRobinAssignor: all partitions sorted by topic then partition, dealt in turn to the sorted members that subscribe to the topic. */
export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  cooperative: false,
  subscriptionVersion: 1,
  assign (members, counts) {
    const out = emptyAssignment(members)
    const sorted = [...members].sort(byId)
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort()
    let turn = 0
    for (const topic of topics) {
      const count = counts.get(topic) ?? 0
      for (let p = 0; p < count; p++) {
        for (let tries = 0; tries < sorted.length; tries++) {
          const m = sorted[turn++ % sorted.length]!
          if (m.topics.includes(topic)) { give(out, m.memberId, topic, p); break }
        }
      }
    }
    return out
  }
}

/** kafkajs's RoundRobinAssigner: per topic, partition p goes to the (p % members)-th member in sorted order. */
export const kafkajsRoundRobinAssignor: Assignor = {
  name: 'RoundRobinAssigner',
  cooperative: false,
  subscriptionVersion: 0,
  assign (members, counts) {
    const out = emptyAssignment(members)
    const sorted = [...members].sort(byId)
    const topics = [...new Set(members.flatMap((m) => m.topics))]
    for (const topic of topics) {
      const count = counts.get(topic) ?? 0
      for (let p = 0; p < count; p++) give(out, sorted[p % sorted.length]!.memberId, topic, p)
    }
    return out
  }
}

/**
 * Kafka's CooperativeStickyAssignor (simplified to its contract): a balanced assignment (counts
 * differ by at most one among members with the same subscription) that keeps every member's owned
 * partitions where balance allows; a partition that must move from a member still in the group is
 * left out of this round, so its owner revokes it and rejoins, and the next round assigns it.
 */
export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  cooperative: true,
  subscriptionVersion: 1,
  assign (members, counts) {
    const sorted = [...members].sort(byId)
    const all: Array<[string, number]> = []
    for (const topic of [...new Set(members.flatMap((m) => m.topics))].sort()) {
      for (let p = 0; p < (counts.get(topic) ?? 0); p++) all.push([topic, p])
    }
    const key = (t: string, p: number): string => `${t}\u0000${p}`
    const previousOwner = new Map<string, string>()
    const kept = new Map<string, string[]>()
    for (const m of sorted) {
      const list: string[] = []
      for (const tp of m.owned) {
        for (const p of tp.partitions) {
          const k = key(tp.topic, p)
          if (previousOwner.has(k) || !m.topics.includes(tp.topic) || p >= (counts.get(tp.topic) ?? 0)) continue
          previousOwner.set(k, m.memberId)
          list.push(k)
        }
      }
      kept.set(m.memberId, list)
    }
    // Quotas: floor(P/M) each; the members owning the most get the (P % M) extra slots.
    const total = all.length
    const base = Math.floor(total / Math.max(1, sorted.length))
    let extras = total - base * sorted.length
    const byOwned = [...sorted].sort((a, b) => kept.get(b.memberId)!.length - kept.get(a.memberId)!.length || byId(a, b))
    const quota = new Map<string, number>()
    for (const m of byOwned) {
      const q = base + (extras > 0 ? 1 : 0)
      if (extras > 0) extras--
      quota.set(m.memberId, q)
    }
    const target = new Map<string, string>()
    const load = new Map<string, number>(sorted.map((m) => [m.memberId, 0]))
    for (const m of sorted) {
      const list = kept.get(m.memberId)!.sort()
      for (const k of list.slice(0, quota.get(m.memberId))) { target.set(k, m.memberId); load.set(m.memberId, load.get(m.memberId)! + 1) }
    }
    for (const [topic, p] of all) {
      const k = key(topic, p)
      if (target.has(k)) continue
      let best: AssignorMember | null = null
      for (const m of sorted) {
        if (!m.topics.includes(topic)) continue
        if (best === null || load.get(m.memberId)! < load.get(best.memberId)!) best = m
      }
      if (best === null) continue
      target.set(k, best.memberId)
      load.set(best.memberId, load.get(best.memberId)! + 1)
    }
    const out = emptyAssignment(members)
    for (const [topic, p] of all) {
      const k = key(topic, p)
      const to = target.get(k)
      if (to === undefined) continue
      const from = previousOwner.get(k)
      if (from !== undefined && from !== to) continue
      give(out, to, topic, p)
    }
    return out
  }
}

export const builtinAssignors: Record<string, Assignor> = {
  range: rangeAssignor,
  roundrobin: roundRobinAssignor,
  RoundRobinAssigner: kafkajsRoundRobinAssignor,
  'cooperative-sticky': cooperativeStickyAssignor
}

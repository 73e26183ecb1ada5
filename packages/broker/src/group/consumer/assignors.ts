// The server-side assignors of KIP-848 consumer groups, chosen by `group.consumer.assignors`
// (the first is the default; a member may ask for another by name):
//
//  - uniform: every partition of the subscribed topics goes to one member subscribed to its
//    topic, counts differ by at most one between members that could take each other's
//    partitions, and partitions stay where the previous target put them as far as that allows
//    (fewer revocations). Works for members with different subscriptions.
//  - range: per topic, the members subscribed to it (sorted by member id) take contiguous ranges
//    of partitions; the first (partitions % members) take one more. Members subscribed to the
//    same topics with the same partition counts get the same partition numbers (co-partitioning).
//
// Both are deterministic: the same input gives the same target on every coordinator.
import { type Assignment, add, emptyAssignment, has, remove } from './assignment.js'

export interface AssignorMember {
  memberId: string
  /** Topic ids the member is subscribed to (names and regex already resolved). */
  topics: ReadonlySet<string>
}

export interface AssignorInput {
  /** Sorted by member id. */
  members: readonly AssignorMember[]
  /** topic id -> partition count, for the topics some member subscribes to. */
  topics: ReadonlyMap<string, number>
  /** The previous target assignment, for stickiness. */
  previous: ReadonlyMap<string, Assignment>
}

export interface Assignor {
  readonly name: string
  assign: (input: AssignorInput) => Map<string, Assignment>
}

function sortedTopicIds (topics: ReadonlyMap<string, unknown>): string[] {
  return [...topics.keys()].sort()
}

export const rangeAssignor: Assignor = {
  name: 'range',
  assign (input) {
    const out = new Map<string, Assignment>(input.members.map((m) => [m.memberId, emptyAssignment()]))
    for (const topicId of sortedTopicIds(input.topics)) {
      const partitions = input.topics.get(topicId) ?? 0
      const subscribers = input.members.filter((m) => m.topics.has(topicId))
      if (subscribers.length === 0) continue
      const base = Math.floor(partitions / subscribers.length)
      const extra = partitions % subscribers.length
      let next = 0
      subscribers.forEach((m, i) => {
        const count = base + (i < extra ? 1 : 0)
        const target = out.get(m.memberId)
        for (let p = next; p < next + count; p++) if (target !== undefined) add(target, topicId, p)
        next += count
      })
    }
    return out
  }
}

export const uniformAssignor: Assignor = {
  name: 'uniform',
  assign (input) {
    const out = new Map<string, Assignment>(input.members.map((m) => [m.memberId, emptyAssignment()]))
    const count = new Map<string, number>(input.members.map((m) => [m.memberId, 0]))
    const subscribers = new Map<string, AssignorMember[]>()
    for (const topicId of input.topics.keys()) subscribers.set(topicId, input.members.filter((m) => m.topics.has(topicId)))
    const give = (memberId: string, topicId: string, p: number): void => {
      const a = out.get(memberId)
      if (a === undefined) return
      add(a, topicId, p)
      count.set(memberId, (count.get(memberId) ?? 0) + 1)
    }
    const leastLoaded = (candidates: readonly AssignorMember[]): AssignorMember | undefined => {
      let best: AssignorMember | undefined
      for (const m of candidates) if (best === undefined || (count.get(m.memberId) ?? 0) < (count.get(best.memberId) ?? 0)) best = m
      return best
    }

    // 1. Sticky: a partition stays with its previous owner while that member still subscribes.
    const unassigned: Array<[string, number]> = []
    for (const topicId of sortedTopicIds(input.topics)) {
      const partitions = input.topics.get(topicId) ?? 0
      const subs = subscribers.get(topicId) ?? []
      for (let p = 0; p < partitions; p++) {
        const owner = subs.find((m) => has(input.previous.get(m.memberId) ?? emptyAssignment(), topicId, p))
        if (owner !== undefined) give(owner.memberId, topicId, p)
        else unassigned.push([topicId, p])
      }
    }
    // 2. The rest to the least loaded subscriber.
    for (const [topicId, p] of unassigned) {
      const m = leastLoaded(subscribers.get(topicId) ?? [])
      if (m !== undefined) give(m.memberId, topicId, p)
    }
    // 3. Balance: move a partition from a member to a subscriber holding at least two fewer.
    // Every move lowers the sum of squared counts, so this ends.
    let moved = true
    while (moved) {
      moved = false
      const byLoad = [...input.members].sort((a, b) => (count.get(b.memberId) ?? 0) - (count.get(a.memberId) ?? 0) || (a.memberId < b.memberId ? -1 : 1))
      for (const from of byLoad) {
        const assignment = out.get(from.memberId)
        if (assignment === undefined) continue
        for (const topicId of sortedTopicIds(assignment)) {
          for (const p of [...(assignment.get(topicId) ?? [])].sort((a, b) => b - a)) {
            const to = leastLoaded(subscribers.get(topicId) ?? [])
            if (to === undefined || (count.get(to.memberId) ?? 0) + 1 >= (count.get(from.memberId) ?? 0)) continue
            remove(assignment, topicId, p)
            count.set(from.memberId, (count.get(from.memberId) ?? 0) - 1)
            give(to.memberId, topicId, p)
            moved = true
          }
        }
      }
    }
    return out
  }
}

export const ASSIGNORS: ReadonlyMap<string, Assignor> = new Map([
  ['uniform', uniformAssignor],
  ['range', rangeAssignor],
  // Kafka's class names name the same assignors.
  ['org.apache.kafka.coordinator.group.assignor.UniformAssignor', uniformAssignor],
  ['org.apache.kafka.coordinator.group.assignor.RangeAssignor', rangeAssignor]
])

// A member's partitions in a consumer group (KIP-848): topic id -> partition numbers. Topic ids,
// not names, as on the wire and in the records, so a topic deleted and recreated under the same
// name is a different topic.

export type Assignment = Map<string, Set<number>>

export interface WireTopicPartitions {
  topicId: string
  partitions: number[]
}

export function emptyAssignment (): Assignment {
  return new Map()
}

export function copyAssignment (a: Assignment): Assignment {
  const out: Assignment = new Map()
  for (const [t, ps] of a) if (ps.size > 0) out.set(t, new Set(ps))
  return out
}

export function fromWire (topics: readonly WireTopicPartitions[]): Assignment {
  const out: Assignment = new Map()
  for (const t of topics) {
    if (t.partitions.length === 0) continue
    const set = out.get(t.topicId) ?? new Set<number>()
    for (const p of t.partitions) set.add(p)
    out.set(t.topicId, set)
  }
  return out
}

/** Sorted by topic id and partition, so equal assignments encode to equal bytes. */
export function toWire (a: Assignment): WireTopicPartitions[] {
  return [...a.entries()]
    .filter(([, ps]) => ps.size > 0)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([topicId, ps]) => ({ topicId, partitions: [...ps].sort((x, y) => x - y) }))
}

export function sizeOf (a: Assignment): number {
  let n = 0
  for (const ps of a.values()) n += ps.size
  return n
}

export function has (a: Assignment, topicId: string, partition: number): boolean {
  return a.get(topicId)?.has(partition) === true
}

export function add (a: Assignment, topicId: string, partition: number): void {
  const set = a.get(topicId)
  if (set === undefined) a.set(topicId, new Set([partition]))
  else set.add(partition)
}

export function remove (a: Assignment, topicId: string, partition: number): void {
  const set = a.get(topicId)
  if (set === undefined) return
  set.delete(partition)
  if (set.size === 0) a.delete(topicId)
}

export function equalAssignments (a: Assignment, b: Assignment): boolean {
  if (sizeOf(a) !== sizeOf(b)) return false
  for (const [t, ps] of a) for (const p of ps) if (!has(b, t, p)) return false
  return true
}

/** Every partition of `a` is in `b`. */
export function isSubset (a: Assignment, b: Assignment): boolean {
  for (const [t, ps] of a) for (const p of ps) if (!has(b, t, p)) return false
  return true
}

export function* partitionsOf (a: Assignment): Generator<[string, number]> {
  for (const [t, ps] of a) for (const p of ps) yield [t, p]
}

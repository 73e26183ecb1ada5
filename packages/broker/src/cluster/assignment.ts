// Replica placement for a new topic, as Kafka's controller does it: replicas spread evenly over
// the live brokers, the first replica (the preferred leader) of consecutive partitions on
// consecutive brokers from a random start, the followers shifted further each time the
// partitions wrap around the brokers, so that no two brokers share all their partitions.
// With racks set, brokers are listed alternating between racks first, so that each
// partition's replicas land on as many racks as there are.
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'

export interface PlacementBroker {
  id: number
  rack: string | null
}

/** Brokers ordered rack by rack in turn (rack-aware), by id within a rack. */
export function rackAlternated (brokers: readonly PlacementBroker[]): number[] {
  const sorted = [...brokers].sort((a, b) => a.id - b.id)
  if (sorted.every((b) => b.rack === null)) return sorted.map((b) => b.id)
  const byRack = new Map<string, number[]>()
  for (const b of sorted) {
    const rack = b.rack ?? ''
    let list = byRack.get(rack)
    if (list === undefined) byRack.set(rack, list = [])
    list.push(b.id)
  }
  const racks = [...byRack.keys()].sort()
  const out: number[] = []
  for (let i = 0; out.length < sorted.length; i++) {
    for (const rack of racks) {
      const id = byRack.get(rack)?.[i]
      if (id !== undefined) out.push(id)
    }
  }
  return out
}

export function assignReplicas (brokers: readonly PlacementBroker[], partitions: number, replicationFactor: number,
  start: number = Math.floor(Math.random() * Math.max(1, brokers.length))): number[][] {
  if (replicationFactor <= 0) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.')
  }
  if (replicationFactor > brokers.length) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR,
      `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${brokers.length} broker(s) are registered.`)
  }
  const list = rackAlternated(brokers)
  const rackOf = new Map(brokers.map((b) => [b.id, b.rack]))
  const rackCount = new Set(brokers.map((b) => b.rack)).size
  const n = list.length
  const out: number[][] = []
  let shift = start % n
  for (let p = 0; p < partitions; p++) {
    if (p > 0 && p % n === 0) shift++
    const first = (p + start) % n
    const replicas = [list[first] as number]
    const racks = new Set([rackOf.get(list[first] as number)])
    // Followers in the shifted order, preferring racks not yet used until every rack has one.
    const candidates = Array.from({ length: n - 1 }, (_, k) => list[(first + 1 + (shift + k) % (n - 1)) % n] as number)
    while (replicas.length < replicationFactor) {
      const fresh = racks.size < rackCount ? candidates.find((id) => !replicas.includes(id) && !racks.has(rackOf.get(id))) : undefined
      const next = fresh ?? candidates.find((id) => !replicas.includes(id))
      // Cannot run out: the replication factor was checked against the broker count above.
      if (next === undefined) break
      replicas.push(next)
      racks.add(rackOf.get(next))
    }
    out.push(replicas)
  }
  return out
}

/** Explicit assignments (CreateTopics): every partition the same size, distinct live brokers. */
export function checkAssignments (assignments: ReadonlyArray<readonly number[]>, live: ReadonlySet<number>): void {
  const size = assignments[0]?.length ?? 0
  assignments.forEach((replicas, p) => {
    if (replicas.length === 0 || new Set(replicas).size !== replicas.length) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${p}: the replicas must be distinct broker ids.`)
    }
    if (replicas.length !== size) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'All partitions should have the same number of replicas.')
    }
    const unknown = replicas.filter((id) => !live.has(id))
    if (unknown.length > 0) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${p}: brokers ${unknown.join(', ')} are not registered.`)
    }
  })
}

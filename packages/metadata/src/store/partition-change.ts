// Compare-and-swap of one partition's leader / ISR / offline replicas, and for a reassignment its
// replica set (which then lives in the partition state rather than the topic record). The request
// names the partition epoch it was computed from (and, for a leader changing its own ISR, its
// leader epoch); the store computes the next epochs, so no caller can make them go backwards.
import type { ControllerFence, PartitionChange, ReplicaSetChange } from '../cluster-metadata.js'
import { MetadataError, isMetadataError } from '../errors.js'
import type { BrokerRegistration, PartitionMetadata } from '../snapshot.js'
import { NO_LEADER } from '../snapshot.js'
import { type FencedWriter, MAX_ATTEMPTS, fencedWrite } from './fenced-write.js'
import type { PartitionStateRecord } from './records.js'
import { decodePartitionState, encode } from './records.js'
import type { Versioned } from './state-mirror.js'
import { checkBrokerList } from './validate.js'

export async function alterPartition (w: FencedWriter, change: PartitionChange, fence?: ControllerFence): Promise<PartitionMetadata> {
  const { kv, keys, mirror } = w.ctx
  const name = mirror.topicNameOf(change.topicId)
  const topic = name === undefined ? undefined : mirror.topic(name)
  if (topic === undefined || topic.record.state !== 'ready') {
    throw new MetadataError('UNKNOWN_TOPIC_ID', `no topic with id ${change.topicId}`)
  }
  const label = `${topic.record.name}-${change.partition}`
  const assigned = topic.record.replicas[change.partition]
  if (!Number.isSafeInteger(change.partition) || assigned === undefined) {
    throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `${topic.record.name} has no partition ${change.partition}`)
  }
  const key = keys.partition(change.topicId, change.partition)
  const readFromStore = async (): Promise<Versioned<PartitionStateRecord> | undefined> => {
    const entry = await kv.get(key)
    const record = entry === null ? null : decodePartitionState(entry.value)
    return entry === null || record === null ? undefined : { record, modRevision: entry.modRevision }
  }
  // The local copy first; whenever it disagrees with the request it may only be behind, so the
  // request is judged again against the store's own state before it is refused.
  let current = mirror.partition(change.topicId, change.partition)
  let fromStore = false
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (current === undefined && !fromStore) {
      current = await readFromStore()
      fromStore = true
    }
    if (current === undefined) throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `${label} has no state`)
    let next: PartitionStateRecord
    try {
      next = nextState(change, current.record, current.record.replicas ?? assigned, mirror.snapshot().brokers)
    } catch (err) {
      if (fromStore || !isMetadataError(err)) throw err
      current = await readFromStore()
      fromStore = true
      continue
    }
    const revision = await fencedWrite(w, [{ key, target: 'mod', revision: current.modRevision }],
      [{ type: 'put', key, value: encode(next) }], fence)
    if (revision !== null) return partitionMetadata(change.partition, next.replicas ?? assigned, next)
    current = await readFromStore()
    fromStore = true
  }
  throw new MetadataError('REQUEST_TIMED_OUT', `${label}: change kept racing`)
}

/** The partition state after `change`, or the Kafka error that refuses it. */
function nextState (
  change: PartitionChange, current: PartitionStateRecord, replicas: readonly number[], live: ReadonlyMap<number, BrokerRegistration>
): PartitionStateRecord {
  if (change.leaderEpoch !== undefined && change.leaderEpoch !== current.leaderEpoch) {
    throw new MetadataError('FENCED_LEADER_EPOCH', `leader epoch ${change.leaderEpoch} is not the current ${current.leaderEpoch}`)
  }
  if (change.partitionEpoch !== current.partitionEpoch) {
    throw new MetadataError('INVALID_UPDATE_VERSION',
      `partition epoch ${change.partitionEpoch} is not the current ${current.partitionEpoch}`)
  }
  const set = change.reassignment === undefined ? null : checkReplicaSet(change.reassignment, replicas, live)
  const allowed = set?.replicas ?? replicas
  checkBrokerList('isr', change.isr, allowed)
  const offline = change.offlineReplicas ?? current.offlineReplicas.filter((r) => allowed.includes(r))
  checkBrokerList('offlineReplicas', offline, allowed)
  const leader = change.leader ?? current.leader
  if (leader !== NO_LEADER && !change.isr.includes(leader)) {
    throw new MetadataError('INVALID_REQUEST', `leader ${leader} is not in the ISR ${JSON.stringify(change.isr)}`)
  }
  const joining = change.isr.filter((r) => !current.isr.includes(r) && !live.has(r))
  if (joining.length > 0) throw new MetadataError('INELIGIBLE_REPLICA', `brokers ${JSON.stringify(joining)} are not registered`)
  const next: PartitionStateRecord = {
    leader,
    leaderEpoch: leader === current.leader ? current.leaderEpoch : current.leaderEpoch + 1,
    partitionEpoch: current.partitionEpoch + 1,
    isr: [...change.isr],
    offlineReplicas: [...offline]
  }
  const kept = set ?? current
  if (kept.replicas !== undefined) next.replicas = [...kept.replicas]
  if ((kept.addingReplicas?.length ?? 0) > 0 || (kept.removingReplicas?.length ?? 0) > 0) {
    next.addingReplicas = [...(kept.addingReplicas ?? [])]
    next.removingReplicas = [...(kept.removingReplicas ?? [])]
  }
  return next
}

/** A reassignment step's replica set, checked; INVALID_REPLICA_ASSIGNMENT when it is not one. */
function checkReplicaSet (change: ReplicaSetChange, current: readonly number[], live: ReadonlyMap<number, BrokerRegistration>): ReplicaSetChange {
  const { replicas, addingReplicas, removingReplicas } = change
  const distinct = (ids: readonly number[]): boolean => ids.every((r) => Number.isSafeInteger(r) && r >= 0) && new Set(ids).size === ids.length
  const refuse = (why: string): never => { throw new MetadataError('INVALID_REPLICA_ASSIGNMENT', why) }
  if (replicas.length === 0 || !distinct(replicas)) refuse(`replicas must be distinct broker ids, got ${JSON.stringify(replicas)}`)
  if (!distinct(addingReplicas) || !distinct(removingReplicas) || addingReplicas.some((r) => removingReplicas.includes(r)) ||
      ![...addingReplicas, ...removingReplicas].every((r) => replicas.includes(r)) || removingReplicas.length >= replicas.length) {
    refuse(`adding ${JSON.stringify(addingReplicas)} and removing ${JSON.stringify(removingReplicas)} must be disjoint parts of ${JSON.stringify(replicas)}`)
  }
  const unknown = replicas.filter((r) => !current.includes(r) && !live.has(r))
  if (unknown.length > 0) refuse(`brokers ${JSON.stringify(unknown)} are not registered`)
  return change
}

function partitionMetadata (partition: number, replicas: readonly number[], s: PartitionStateRecord): PartitionMetadata {
  return Object.freeze({
    partition,
    replicas: Object.freeze([...replicas]),
    leader: s.leader,
    leaderEpoch: s.leaderEpoch,
    partitionEpoch: s.partitionEpoch,
    isr: Object.freeze([...s.isr]),
    offlineReplicas: Object.freeze([...s.offlineReplicas]),
    addingReplicas: Object.freeze([...(s.addingReplicas ?? [])]),
    removingReplicas: Object.freeze([...(s.removingReplicas ?? [])])
  })
}

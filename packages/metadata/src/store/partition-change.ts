// Compare-and-swap of one partition's leader / ISR / offline replicas. The request names the
// partition epoch it was computed from (and, for a leader changing its own ISR, its leader epoch);
// the store computes the next epochs, so no caller can make them go backwards or skip.
import type { ControllerFence, PartitionChange } from '../cluster-metadata.js'
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
  const replicas = topic.record.replicas[change.partition]
  if (!Number.isSafeInteger(change.partition) || replicas === undefined) {
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
      next = nextState(change, current.record, replicas, mirror.snapshot().brokers)
    } catch (err) {
      if (fromStore || !isMetadataError(err)) throw err
      current = await readFromStore()
      fromStore = true
      continue
    }
    const revision = await fencedWrite(w, [{ key, target: 'mod', revision: current.modRevision }],
      [{ type: 'put', key, value: encode(next) }], fence)
    if (revision !== null) return partitionMetadata(change.partition, replicas, next)
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
  checkBrokerList('isr', change.isr, replicas)
  const offline = change.offlineReplicas ?? current.offlineReplicas
  checkBrokerList('offlineReplicas', offline, replicas)
  const leader = change.leader ?? current.leader
  if (leader !== NO_LEADER && !change.isr.includes(leader)) {
    throw new MetadataError('INVALID_REQUEST', `leader ${leader} is not in the ISR ${JSON.stringify(change.isr)}`)
  }
  const joining = change.isr.filter((r) => !current.isr.includes(r) && !live.has(r))
  if (joining.length > 0) throw new MetadataError('INELIGIBLE_REPLICA', `brokers ${JSON.stringify(joining)} are not registered`)
  return {
    leader,
    leaderEpoch: leader === current.leader ? current.leaderEpoch : current.leaderEpoch + 1,
    partitionEpoch: current.partitionEpoch + 1,
    isr: [...change.isr],
    offlineReplicas: [...offline]
  }
}

function partitionMetadata (partition: number, replicas: readonly number[], s: PartitionStateRecord): PartitionMetadata {
  return Object.freeze({
    partition,
    replicas: Object.freeze([...replicas]),
    leader: s.leader,
    leaderEpoch: s.leaderEpoch,
    partitionEpoch: s.partitionEpoch,
    isr: Object.freeze([...s.isr]),
    offlineReplicas: Object.freeze([...s.offlineReplicas])
  })
}

// Creating and deleting topics in bounded transactions. Creation: reserve the name (topic key in
// state 'creating', invisible in snapshots), write the partition states in chunks within the
// store's limits, each conditional on the reservation, then flip the topic to 'ready' so it
// appears with all its partitions at one revision. Deletion: two operations whatever the size.
import type { ControllerFence, TopicCreation } from '../cluster-metadata.js'
import { MetadataError } from '../errors.js'
import type { KvCompare, KvOp } from '../kv/kv-backend.js'
import { txnBytes } from '../kv/kv-backend.js'
import type { TopicMetadata } from '../snapshot.js'
import { NO_LEADER } from '../snapshot.js'
import { type FencedWriter, MAX_ATTEMPTS, fencedWrite } from './fenced-write.js'
import type { PartitionStateRecord, TopicRecord } from './records.js'
import { decodeTopic, encode } from './records.js'
import { checkTopicCreation } from './validate.js'

export async function createTopic (w: FencedWriter, topic: TopicCreation, fence?: ControllerFence): Promise<TopicMetadata> {
  const id = checkTopicCreation(topic)
  const { kv, keys, mirror } = w.ctx
  const topicKey = keys.topic(topic.name)
  const record: TopicRecord = {
    id, name: topic.name, configs: { ...topic.configs }, replicas: topic.replicas.map((r) => [...r]), state: 'creating'
  }
  const recordText = encode(record)
  if (Buffer.byteLength(recordText) > kv.limits.maxRequestBytes / 2) {
    throw new MetadataError('INVALID_PARTITIONS', `${topic.replicas.length} partitions do not fit one topic key`)
  }
  const deleted = (): MetadataError => new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic.name} was deleted while being created`)

  const reserved = await fencedWrite(w, [{ key: topicKey, target: 'create', revision: 0 }],
    [{ type: 'put', key: topicKey, value: recordText }], fence)
  if (reserved === null) throw new MetadataError('TOPIC_ALREADY_EXISTS', `topic ${topic.name} already exists`)

  const live = mirror.snapshot().brokers
  const stillReserved: KvCompare = { key: topicKey, target: 'mod', revision: reserved }
  // The compares of each chunk: the broker fence, the reservation, maybe the controller fence.
  const maxOps = kv.limits.maxTxnOps - (fence?.controller === undefined ? 2 : 3)
  const maxBytes = kv.limits.maxRequestBytes / 2
  let chunk: KvOp[] = []
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return
    if (await fencedWrite(w, [stillReserved], chunk, fence) === null) throw deleted()
    chunk = []
  }
  for (let p = 0; p < record.replicas.length; p++) {
    const isr = (record.replicas[p] ?? []).filter((r) => live.has(r))
    const state: PartitionStateRecord = { leader: isr[0] ?? NO_LEADER, leaderEpoch: 0, partitionEpoch: 0, isr, offlineReplicas: [] }
    chunk.push({ type: 'put', key: keys.partition(id, p), value: encode(state) })
    if (chunk.length >= maxOps || txnBytes({ compares: [], success: chunk }) >= maxBytes) await flush()
  }
  await flush()

  const ready = await fencedWrite(w, [stillReserved], [{ type: 'put', key: topicKey, value: encode({ ...record, state: 'ready' }) }], fence)
  if (ready === null) throw deleted()
  const created = mirror.snapshot().topicsById.get(id)
  if (created === undefined) throw deleted()
  return created
}

export async function deleteTopic (w: FencedWriter, name: string, fence?: ControllerFence): Promise<void> {
  const { kv, keys } = w.ctx
  const topicKey = keys.topic(name)
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get(topicKey)
    const record = entry === null ? null : decodeTopic(entry.value)
    if (entry === null || record === null) throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `no topic ${name}`)
    // The partition states go as one prefix delete.
    const revision = await fencedWrite(w, [{ key: topicKey, target: 'mod', revision: entry.modRevision }], [
      { type: 'delete', key: topicKey },
      { type: 'deletePrefix', prefix: keys.partitions(record.id) }
    ], fence)
    if (revision !== null) return
  }
  throw new MetadataError('REQUEST_TIMED_OUT', `topic ${name}: deletion kept racing with other changes`)
}

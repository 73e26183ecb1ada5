// Creating and deleting topics in bounded transactions. Creation: reserve the name (topic key in
// state 'creating', invisible in snapshots), write the partition states in chunks within the
// store's limits, each conditional on the reservation, then flip the topic to 'ready' so it
// appears with all its partitions at one revision. Deletion: two operations whatever the size.
// Adding partitions: their states first (ignored by readers until the topic's assignment names
// them), in chunks conditional on the topic key being unchanged, then the longer assignment: the
// new partitions appear at one revision. Config changes: one compare-and-swap of the topic key.
import type { ControllerFence, TopicCreation } from '../cluster-metadata.js'
import { MetadataError } from '../errors.js'
import type { KvCompare, KvOp } from '../kv/kv-backend.js'
import { txnBytes } from '../kv/kv-backend.js'
import type { TopicMetadata } from '../snapshot.js'
import { NO_LEADER } from '../snapshot.js'
import { type FencedWriter, MAX_ATTEMPTS, fencedWrite } from './fenced-write.js'
import type { PartitionStateRecord, TopicRecord } from './records.js'
import { decodeTopic, encode } from './records.js'
import { checkReplicas, checkTopicCreation } from './validate.js'

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
    chunk.push({ type: 'put', key: keys.partition(id, p), value: encode(initialState(record.replicas[p] ?? [], live)) })
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

/** A new partition's state: the registered replicas as ISR, the first of them leader. */
function initialState (replicas: readonly number[], live: ReadonlyMap<number, unknown>): PartitionStateRecord {
  const isr = replicas.filter((r) => live.has(r))
  return { leader: isr[0] ?? NO_LEADER, leaderEpoch: 0, partitionEpoch: 0, isr, offlineReplicas: [] }
}

/** The topic's key and record, ready (a creation in progress counts as absent). */
async function readyTopic (w: FencedWriter, name: string): Promise<{ record: TopicRecord, modRevision: number }> {
  const entry = await w.ctx.kv.get(w.ctx.keys.topic(name))
  const record = entry === null ? null : decodeTopic(entry.value)
  if (entry === null || record === null || record.state !== 'ready') throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `no topic ${name}`)
  return { record, modRevision: entry.modRevision }
}

function published (w: FencedWriter, id: string, name: string): TopicMetadata {
  const topic = w.ctx.mirror.snapshot().topicsById.get(id)
  if (topic === undefined) throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} was deleted meanwhile`)
  return topic
}

export async function addPartitions (w: FencedWriter, name: string, replicas: ReadonlyArray<readonly number[]>, fence?: ControllerFence): Promise<TopicMetadata> {
  if (replicas.length === 0) throw new MetadataError('INVALID_PARTITIONS', 'no partitions to add')
  checkReplicas(replicas)
  const { kv, keys, mirror } = w.ctx
  const topicKey = keys.topic(name)
  const maxOps = kv.limits.maxTxnOps - (fence?.controller === undefined ? 2 : 3)
  const maxBytes = kv.limits.maxRequestBytes / 2
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { record, modRevision } = await readyTopic(w, name)
    const extended: TopicRecord = { ...record, replicas: [...record.replicas, ...replicas.map((r) => [...r])] }
    const text = encode(extended)
    if (Buffer.byteLength(text) > maxBytes) throw new MetadataError('INVALID_PARTITIONS', `${extended.replicas.length} partitions do not fit one topic key`)
    const unchanged: KvCompare = { key: topicKey, target: 'mod', revision: modRevision }
    const live = mirror.snapshot().brokers
    let raced = false
    let chunk: KvOp[] = []
    const flush = async (): Promise<void> => {
      if (chunk.length === 0 || raced) return
      if (await fencedWrite(w, [unchanged], chunk, fence) === null) raced = true
      chunk = []
    }
    for (let i = 0; i < replicas.length && !raced; i++) {
      chunk.push({ type: 'put', key: keys.partition(record.id, record.replicas.length + i), value: encode(initialState(replicas[i] ?? [], live)) })
      if (chunk.length >= maxOps || txnBytes({ compares: [], success: chunk }) >= maxBytes) await flush()
    }
    await flush()
    // A topic changed meanwhile: states written past its end are not read; start again.
    if (raced) continue
    if (await fencedWrite(w, [unchanged], [{ type: 'put', key: topicKey, value: text }], fence) !== null) return published(w, record.id, name)
  }
  throw new MetadataError('REQUEST_TIMED_OUT', `topic ${name}: adding partitions kept racing with other changes`)
}

export async function alterTopicConfigs (w: FencedWriter, name: string, configs: Readonly<Record<string, string>>, fence?: ControllerFence): Promise<TopicMetadata> {
  for (const [k, v] of Object.entries(configs)) {
    if (typeof v !== 'string') throw new MetadataError('INVALID_REQUEST', `config ${k} must be a string`)
  }
  const topicKey = w.ctx.keys.topic(name)
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { record, modRevision } = await readyTopic(w, name)
    const revision = await fencedWrite(w, [{ key: topicKey, target: 'mod', revision: modRevision }],
      [{ type: 'put', key: topicKey, value: encode({ ...record, configs: { ...configs } }) }], fence)
    if (revision !== null) return published(w, record.id, name)
  }
  throw new MetadataError('REQUEST_TIMED_OUT', `topic ${name}: the config change kept racing with other changes`)
}

// Dead-letter topics for share groups (KIP-1191): a record rejected, delivered past the delivery
// limit, or expired (Brook's message.ttl.ms) is written to the group's DLQ topic
// (errors.deadletterqueue.topic.name) before it is archived. The topic must be named with the
// broker's errors.deadletterqueue.topic.name.prefix ("dlq.") and carry
// errors.deadletterqueue.group.enable=true (its owner consents); a missing topic is created with
// that consent when errors.deadletterqueue.auto.create.topics.enable is true. A DLQ that is not
// usable archives the records without writing (logged), as a group without a DLQ does.
//
// Each DLQ record carries the context headers below; the original key, value and headers are
// copied only with errors.deadletterqueue.copy.record.enable=true. Exactly once, even across a
// crash: the share-partition makes "archiving" durable before the write and "archived" after, and
// a restarted one first looks for its records in the recent tail of the DLQ partition (headers
// group/topic/partition/offset) and writes only those missing.
import type { Logger } from '@brook/common'
import { batchLastOffset, buildBatchSync, decodeBatchSync, iterateBatches, type KafkaRecord, type RecordInput } from '@brook/protocol'
import type { BrokerConfig } from '../../config/broker-config.js'
import type { Partition } from '../../partition/partition.js'
import type { ReplicaManager } from '../../partition/replica-manager.js'
import type { ArchivedRecord } from '../partition/in-flight.js'

export const DLQ_HEADERS = {
  topic: '__dlq.errors.topic',
  partition: '__dlq.errors.partition',
  offset: '__dlq.errors.offset',
  group: '__dlq.errors.group.id',
  deliveryCount: '__dlq.errors.delivery.count',
  reason: '__dlq.errors.reason'
} as const

export const DLQ_ENABLE_CONFIG = 'errors.deadletterqueue.group.enable'
/** How far back (records) a restarted share-partition looks for dead-letter records it already wrote. */
const DEDUPE_WINDOW = 10_000

export class DeadLetterUnusable extends Error {}

export interface DeadLetterSource {
  groupId: string
  topic: string
  partitionIndex: number
  partition: Partition
}

export class DeadLetterWriter {
  readonly #replicas: ReplicaManager
  readonly #config: BrokerConfig
  readonly #logger: Logger

  constructor (replicas: ReplicaManager, config: BrokerConfig, logger: Logger) {
    this.#replicas = replicas
    this.#config = config
    this.#logger = logger
  }

  /** Writes the records' dead-letter records durably; throws DeadLetterUnusable when the DLQ cannot take them. */
  async write (source: DeadLetterSource, dlqTopic: string, copy: boolean, records: readonly ArchivedRecord[], dedupe: boolean): Promise<void> {
    if (records.length === 0) return
    const target = await this.#target(dlqTopic, source.partitionIndex)
    let todo = records
    if (dedupe) {
      const written = await this.#alreadyWritten(target, source)
      todo = records.filter((r) => !written.has(r.offset))
    }
    if (todo.length === 0) return
    const originals = copy ? await this.#originals(source.partition, todo.map((r) => r.offset)) : new Map<number, KafkaRecord>()
    const now = BigInt(Date.now())
    const batch = buildBatchSync({
      records: todo.map((r): RecordInput => {
        const original = originals.get(r.offset)
        return {
          key: original?.key ?? null,
          value: original?.value ?? null,
          timestamp: now,
          headers: [
            { key: DLQ_HEADERS.topic, value: source.topic },
            { key: DLQ_HEADERS.partition, value: String(source.partitionIndex) },
            { key: DLQ_HEADERS.offset, value: String(r.offset) },
            { key: DLQ_HEADERS.group, value: source.groupId },
            { key: DLQ_HEADERS.deliveryCount, value: String(r.deliveryCount) },
            { key: DLQ_HEADERS.reason, value: r.reason },
            ...(original?.headers ?? [])
          ]
        }
      })
    })
    await target.append(batch, true)
  }

  async #target (name: string, sourcePartition: number): Promise<Partition> {
    const prefix = this.#config.string('errors.deadletterqueue.topic.name.prefix') ?? ''
    if (!name.startsWith(prefix)) throw new DeadLetterUnusable(`dead-letter topic ${name} does not start with ${prefix}`)
    let topic = this.#replicas.topic(name)
    if (topic === undefined) {
      if (!this.#config.bool('errors.deadletterqueue.auto.create.topics.enable')) throw new DeadLetterUnusable(`dead-letter topic ${name} does not exist`)
      try {
        await this.#replicas.createTopic({ name, numPartitions: 1, replicationFactor: 1, configs: { [DLQ_ENABLE_CONFIG]: 'true' }, validateOnly: false })
        this.#logger.info({ topic: name }, 'created a share group dead-letter topic')
      } catch (err) {
        // Another share-partition created it first; anything else shows below as a missing topic.
        this.#logger.debug({ err, topic: name }, 'dead-letter topic creation')
      }
      topic = this.#replicas.topic(name)
      if (topic === undefined) throw new DeadLetterUnusable(`dead-letter topic ${name} could not be created`)
    }
    if (topic.info.configs[DLQ_ENABLE_CONFIG] !== 'true') throw new DeadLetterUnusable(`topic ${name} does not allow dead-letter use (${DLQ_ENABLE_CONFIG}=false)`)
    const p = topic.partitions[sourcePartition % topic.partitions.length]
    if (p === undefined) throw new DeadLetterUnusable(`dead-letter topic ${name} has no local partition`)
    return p
  }

  /** Source offsets of this share-partition found among the last DEDUPE_WINDOW records of the DLQ partition. */
  async #alreadyWritten (target: Partition, source: DeadLetterSource): Promise<Set<number>> {
    const found = new Set<number>()
    const { logStartOffset, logEndOffset } = target.offsets()
    let next = Math.max(logStartOffset, logEndOffset - DEDUPE_WINDOW)
    while (next < logEndOffset) {
      const { chunks } = await target.read(next, { maxBytes: 1 << 20, minOneBatch: true })
      if (chunks.length === 0) break
      const before = next
      for (const chunk of chunks) {
        for (const raw of iterateBatches(chunk)) {
          next = Math.max(next, batchLastOffset(raw) + 1)
          for (const r of decodeBatchSync(raw).records) {
            const h = new Map(r.headers.map((x) => [x.key, x.value?.toString('utf8')]))
            if (h.get(DLQ_HEADERS.group) === source.groupId && h.get(DLQ_HEADERS.topic) === source.topic && h.get(DLQ_HEADERS.partition) === String(source.partitionIndex)) {
              found.add(Number(h.get(DLQ_HEADERS.offset)))
            }
          }
        }
      }
      if (next <= before) break
    }
    return found
  }

  /** The original records at these offsets (those still in the log). */
  async #originals (partition: Partition, offsets: readonly number[]): Promise<Map<number, KafkaRecord>> {
    const out = new Map<number, KafkaRecord>()
    const wanted = new Set(offsets)
    for (const offset of offsets) {
      if (out.has(offset)) continue
      const { chunks } = await partition.read(offset, { maxBytes: 1, minOneBatch: true })
      for (const chunk of chunks) {
        for (const raw of iterateBatches(chunk)) {
          for (const r of decodeBatchSync(raw).records) {
            const o = Number(r.offset)
            if (wanted.has(o)) out.set(o, { ...r, key: r.key === null ? null : Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) })
          }
        }
      }
    }
    return out
  }
}

// Transactional producer state: initTransactions (InitProducerId to the transaction
// coordinator, fencing older producers with the same transactionalId), begin, the partitions
// added before their first batch (AddPartitionsToTxn), sendOffsets (AddOffsetsToTxn, then
// TxnOffsetCommit to the group coordinator), and commit/abort (flush, then EndTxn).
import {
  addOffsetsToTxnApi, addPartitionsToTxnApi, endTxnApi, ErrorCode, initProducerIdApi, txnOffsetCommitApi
} from '@brook/protocol'
import { CoordinatorType } from '../cluster/cluster.js'
import { IllegalStateError } from '../errors/client-errors.js'
import { kafkaError } from '../errors/kafka-errors.js'
import type { ProducerBatch } from './batch.js'
import type { Producer } from './producer.js'

type State = 'uninitialized' | 'ready' | 'in-transaction' | 'ending' | 'failed'

export class Transactions {
  private state: State = 'uninitialized'
  private readonly added = new Set<string>()
  private failure: Error | null = null
  private offsetsSent = false

  constructor (private readonly producer: Producer, readonly transactionalId: string, private readonly timeoutMs: number) {}

  async init (): Promise<void> {
    if (this.state !== 'uninitialized') throw new IllegalStateError('initTransactions was already called')
    const r = await this.producer.cluster.toCoordinator(this.transactionalId, CoordinatorType.Transaction, initProducerIdApi,
      () => ({ transactionalId: this.transactionalId, transactionTimeoutMs: this.timeoutMs, producerId: -1n, producerEpoch: -1 }),
      (res) => { if (res.errorCode !== ErrorCode.NONE) throw kafkaError(res.errorCode, `InitProducerId for ${this.transactionalId}`) })
    this.producer.producerId = r.producerId
    this.producer.producerEpoch = r.producerEpoch
    this.state = 'ready'
  }

  begin (): void {
    if (this.state !== 'ready') throw new IllegalStateError(`beginTransaction in state ${this.state}: call initTransactions first, and end the previous transaction`)
    this.added.clear()
    this.failure = null
    this.offsetsSent = false
    this.state = 'in-transaction'
  }

  checkCanSend (): void {
    if (this.state !== 'in-transaction') throw new IllegalStateError(`a transactional producer sends only inside a transaction (state ${this.state}); call beginTransaction`)
  }

  onBatchFailed (err: Error): void {
    // A lost batch makes the transaction uncommittable: commit then fails and the caller aborts.
    this.failure ??= err
  }

  /** AddPartitionsToTxn for the partitions among `batches` not yet in the transaction. */
  async addPartitions (batches: ProducerBatch[]): Promise<void> {
    const fresh = new Map<string, Set<number>>()
    for (const b of batches) {
      const key = `${b.topic}\u0000${b.partition}`
      if (this.added.has(key)) continue
      let set = fresh.get(b.topic)
      if (set === undefined) { set = new Set(); fresh.set(b.topic, set) }
      set.add(b.partition)
    }
    if (fresh.size === 0) return
    const topics = [...fresh].map(([name, parts]) => ({ name, partitions: [...parts] }))
    await this.producer.cluster.toCoordinator(this.transactionalId, CoordinatorType.Transaction, addPartitionsToTxnApi,
      () => ({
        v3AndBelowTransactionalId: this.transactionalId,
        v3AndBelowProducerId: this.producer.producerId,
        v3AndBelowProducerEpoch: this.producer.producerEpoch,
        v3AndBelowTopics: topics
      }),
      (res) => {
        for (const t of res.resultsByTopicV3AndBelow ?? []) {
          for (const p of t.resultsByPartition) {
            if (p.partitionErrorCode !== ErrorCode.NONE) throw kafkaError(p.partitionErrorCode, `AddPartitionsToTxn ${t.name}-${p.partitionIndex}`)
          }
        }
      })
    for (const t of topics) for (const p of t.partitions) this.added.add(`${t.name}\u0000${p}`)
  }

  async sendOffsets (groupId: string, offsets: Array<{ topic: string, partition: number, offset: bigint }>, generation?: { generationId: number, memberId: string }): Promise<void> {
    this.checkCanSend()
    const cluster = this.producer.cluster
    await cluster.toCoordinator(this.transactionalId, CoordinatorType.Transaction, addOffsetsToTxnApi,
      () => ({ transactionalId: this.transactionalId, producerId: this.producer.producerId, producerEpoch: this.producer.producerEpoch, groupId }),
      (res) => { if (res.errorCode !== ErrorCode.NONE) throw kafkaError(res.errorCode, `AddOffsetsToTxn ${groupId}`) })
    this.offsetsSent = true
    const byTopic = new Map<string, Array<{ partitionIndex: number, committedOffset: bigint }>>()
    for (const o of offsets) {
      let list = byTopic.get(o.topic)
      if (list === undefined) { list = []; byTopic.set(o.topic, list) }
      list.push({ partitionIndex: o.partition, committedOffset: o.offset })
    }
    await cluster.toCoordinator(groupId, CoordinatorType.Group, txnOffsetCommitApi,
      () => ({
        transactionalId: this.transactionalId,
        groupId,
        producerId: this.producer.producerId,
        producerEpoch: this.producer.producerEpoch,
        generationId: generation?.generationId ?? -1,
        memberId: generation?.memberId ?? '',
        groupInstanceId: null,
        topics: [...byTopic].map(([name, partitions]) => ({ name, partitions }))
      }),
      (res) => {
        for (const t of res.topics) for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) throw kafkaError(p.errorCode, `TxnOffsetCommit ${t.name}-${p.partitionIndex}`)
      })
  }

  async end (commit: boolean): Promise<void> {
    if (this.state !== 'in-transaction') throw new IllegalStateError(`${commit ? 'commit' : 'abort'}Transaction with no transaction open (state ${this.state})`)
    this.state = 'ending'
    try {
      await this.producer.flush()
      if (commit && this.failure !== null) {
        throw new IllegalStateError(`the transaction cannot commit: a send failed (${this.failure.message}); abort it`)
      }
      // Nothing was added: the coordinator knows of no transaction to end (Kafka's client skips EndTxn too).
      if (this.added.size > 0 || this.offsetsSent) {
        await this.producer.cluster.toCoordinator(this.transactionalId, CoordinatorType.Transaction, endTxnApi,
          () => ({ transactionalId: this.transactionalId, producerId: this.producer.producerId, producerEpoch: this.producer.producerEpoch, committed: commit }),
          (res) => { if (res.errorCode !== ErrorCode.NONE) throw kafkaError(res.errorCode, `EndTxn ${commit ? 'commit' : 'abort'}`) })
      }
      this.state = 'ready'
    } catch (err) {
      this.state = commit ? 'in-transaction' : 'failed'
      throw err
    }
  }
}

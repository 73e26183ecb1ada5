// The producer: records accumulate per partition into batches (closed at batchSize bytes or after
// lingerMs), a sender loop groups ready batches by leader into one Produce request per broker,
// with up to maxInFlight batches per partition in flight. Idempotence (on by default with
// acks=all): a producer id from InitProducerId, and per-partition sequence numbers assigned when
// a batch is first sent; a retried batch keeps its bytes and sequence. Retriable failures
// (leader moved, timeouts, broken connections) refresh metadata and resend until the record's
// deliveryTimeoutMs runs out.
import {
  buildBatch, Compression, ErrorCode, initProducerIdApi, produceApi, type ProduceRequest, type ProduceResponse
} from '@brook/protocol'
import { Cluster, type ClientOptions } from '../cluster/cluster.js'
import type { Connection } from '../connection/connection.js'
import { IllegalStateError, TimeoutError } from '../errors/client-errors.js'
import { kafkaError, KafkaError } from '../errors/kafka-errors.js'
import { backoffMs, isRetriableError, withRetry } from '../errors/retry.js'
import { ProducerBatch, SendCall } from './batch.js'
import { PartitionState } from './partition-state.js'
import { customPartitioner, defaultPartitioner, type Partitioner, type PartitionerFunction } from './partitioners.js'
import { estimateSize, type RecordMetadata, type SendRequest, toBuffer, toRecordInput } from './records.js'
import { Transactions } from './transactions.js'

/** Produce 12 means transaction protocol v2 to the broker; 13 names topics by id. */
const LAST_BEFORE_TRANSACTION_V2 = 11
const FIRST_TOPIC_ID_PRODUCE = 13

export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

const compressionCodes: Record<CompressionName, Compression> = {
  none: Compression.None, gzip: Compression.Gzip, snappy: Compression.Snappy, lz4: Compression.Lz4, zstd: Compression.Zstd
}

export interface ProducerOptions {
  /** 0, 1 or -1 (all). Default -1. */
  acks?: 0 | 1 | -1
  /** enable.idempotence. Default true when acks is -1. */
  idempotent?: boolean
  /** Makes the producer transactional (implies idempotence). */
  transactionalId?: string
  /** transaction.timeout.ms. Default 60000. */
  transactionTimeoutMs?: number
  /** linger.ms. Default 5. */
  lingerMs?: number
  /** batch.size in bytes. Default 16384. */
  batchSize?: number
  compression?: CompressionName
  /** max.in.flight.requests.per.connection, per partition here; at most 5 with idempotence. Default 5. */
  maxInFlight?: number
  /** delivery.timeout.ms. Default 120000. */
  deliveryTimeoutMs?: number
  /** Broker-side wait for acks (the Produce timeoutMs). Default 30000. */
  ackTimeoutMs?: number
  /** Default: Kafka's (murmur2 for keys, sticky for keyless). */
  partitioner?: Partitioner | PartitionerFunction
  /** Create missing topics through Metadata (broker auto.create.topics.enable). Default false. */
  allowAutoTopicCreation?: boolean
}

/** Epochs are int16; past this one the producer needs a new id. */
const MAX_PRODUCER_EPOCH = 32767

export class Producer {
  readonly cluster: Cluster
  private readonly acks: 0 | 1 | -1
  readonly idempotent: boolean
  private readonly lingerMs: number
  private readonly batchSize: number
  private readonly compression: Compression
  private readonly maxInFlight: number
  private readonly deliveryTimeoutMs: number
  private readonly ackTimeoutMs: number
  private readonly partitioner: Partitioner
  private readonly allowAutoTopicCreation: boolean
  private readonly partitions = new Map<string, PartitionState>()
  private lingerTimer: NodeJS.Timeout | null = null
  private retryTimer: NodeJS.Timeout | null = null
  private draining = false
  private drainAgain = false
  private readonly idleWaiters: Array<() => void> = []
  private closed = false
  producerId = -1n
  producerEpoch = -1
  private initializing: Promise<void> | null = null
  /** A sent batch failed for good: its sequence left a gap, so the epoch must move on (KIP-360). */
  private epochBumpNeeded = false
  readonly transactions: Transactions | null

  constructor (client: ClientOptions, options: ProducerOptions = {}) {
    this.cluster = new Cluster(client)
    this.acks = options.acks ?? -1
    const transactional = options.transactionalId !== undefined
    this.idempotent = transactional || (options.idempotent ?? this.acks === -1)
    if (this.idempotent && this.acks !== -1) throw new IllegalStateError('an idempotent producer needs acks=-1 (all); set idempotent: false to use acks 0 or 1')
    this.maxInFlight = options.maxInFlight ?? 5
    if (this.idempotent && this.maxInFlight > 5) throw new IllegalStateError('an idempotent producer keeps order with at most 5 batches in flight per partition')
    this.lingerMs = options.lingerMs ?? 5
    this.batchSize = options.batchSize ?? 16384
    this.compression = compressionCodes[options.compression ?? 'none']
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000
    this.ackTimeoutMs = options.ackTimeoutMs ?? 30_000
    this.allowAutoTopicCreation = options.allowAutoTopicCreation ?? false
    const p = options.partitioner
    this.partitioner = p === undefined ? defaultPartitioner() : typeof p === 'function' ? customPartitioner(p) : p
    this.transactions = transactional ? new Transactions(this, options.transactionalId!, options.transactionTimeoutMs ?? 60_000) : null
  }

  /** Connects and (idempotent producers) obtains a producer id. Optional: send() does it on first use. */
  async connect (): Promise<void> {
    await this.cluster.refreshMetadata()
    if (this.idempotent && this.transactions === null) await this.ensureProducerId()
  }

  private async ensureProducerId (): Promise<void> {
    if (this.producerId >= 0n) return
    this.initializing ??= withRetry(async () => {
      const connection = await this.cluster.any()
      const r = await connection.request(initProducerIdApi, { transactionalId: null, transactionTimeoutMs: -1, producerId: -1n, producerEpoch: -1 })
      if (r.errorCode !== ErrorCode.NONE) throw kafkaError(r.errorCode, 'InitProducerId')
      this.producerId = r.producerId
      this.producerEpoch = r.producerEpoch
    }, this.cluster.retry).finally(() => { this.initializing = null })
    await this.initializing
  }

  /** Queues the records and resolves when every one is acknowledged (per acks). */
  async send (request: SendRequest): Promise<RecordMetadata[]> {
    if (this.closed) throw new IllegalStateError('send after close')
    this.transactions?.checkCanSend()
    const { topic, messages } = request
    let meta = this.cluster.metadata
    if (meta === null || !meta.topics.has(topic)) meta = await this.cluster.metadataFor([topic], { allowAutoTopicCreation: this.allowAutoTopicCreation })
    const count = meta.partitionCount(topic)
    // The broker's own answer when it gave one (TOPIC_AUTHORIZATION_FAILED, say), else unknown.
    if (count === 0) throw kafkaError(meta.topicErrors.get(topic) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic}`)
    if (this.idempotent && this.producerId < 0n && this.transactions === null) await this.ensureProducerId()
    return await new Promise<RecordMetadata[]>((resolve, reject) => {
      const call = new SendCall(messages.length, resolve, reject)
      const now = BigInt(Date.now())
      const clock = Date.now()
      const states: Array<PartitionState | undefined> = []
      for (let slot = 0; slot < messages.length; slot++) {
        const m = messages[slot]!
        const key = toBuffer(m.key)
        let partition = m.partition
        if (partition === undefined) partition = this.partitioner.partition({ topic, key, value: toBuffer(m.value), partitionCount: count })
        if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
          call.fail(kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${partition} of ${topic} (it has ${count})`))
          return
        }
        // One state lookup per partition and call, not per record.
        let s = states[partition]
        if (s === undefined) { s = this.state(topic, partition); states[partition] = s }
        this.append(s, toRecordInput(m, now, key), call, slot, estimateSize(key, m), clock)
      }
      if (this.lingerMs === 0) this.closeAll()
      else this.lingerTimer ??= setTimeout(() => { this.lingerTimer = null; this.closeAll() }, this.lingerMs)
    })
  }

  private state (topic: string, partition: number): PartitionState {
    const key = `${topic}\u0000${partition}`
    let s = this.partitions.get(key)
    if (s === undefined) {
      s = new PartitionState(topic, partition)
      this.partitions.set(key, s)
    }
    return s
  }

  private append (s: PartitionState, record: ReturnType<typeof toRecordInput>, call: SendCall, slot: number, size: number, now: number): void {
    if (s.open !== null && s.open.bytes + size > this.batchSize && s.open.records.length > 0) this.closeBatch(s)
    s.open ??= new ProducerBatch(s.topic, s.partition, now)
    s.open.add(record, call, slot, size)
    if (s.open.bytes >= this.batchSize) this.closeBatch(s)
  }

  private closeBatch (s: PartitionState): void {
    const batch = s.open
    if (batch === null) return
    s.open = null
    s.ready.push(batch)
    this.partitioner.batchClosed(s.topic, s.partition)
    this.kick()
  }

  private closeAll (): void {
    for (const s of this.partitions.values()) if (s.open !== null) this.closeBatch(s)
  }

  private kick (): void {
    if (this.draining) { this.drainAgain = true; return }
    this.draining = true
    queueMicrotask(() => {
      this.drain().catch((err: unknown) => this.cluster.logger.error({ err }, 'producer sender failed'))
    })
  }

  // One drain at a time, so requests leave in sequence order for every partition.
  private async drain (): Promise<void> {
    try {
      do {
        this.drainAgain = false
        await this.drainOnce()
      } while (this.drainAgain)
    } finally {
      this.draining = false
      this.checkIdle()
    }
  }

  private async drainOnce (): Promise<void> {
    if (this.epochBumpNeeded) {
      // The bump waits until nothing is in flight: answers to the old epoch come back first.
      for (const s of this.partitions.values()) if (s.inFlight.size > 0) return
      if (!await this.bumpEpoch()) return
    }
    const now = Date.now()
    // A Produce request carries at most one batch per partition: the k-th batch a partition
    // sends in this round goes into the k-th request to its leader.
    const byLeader = new Map<number, ProducerBatch[][]>()
    let earliestRetry = Infinity
    const meta = this.cluster.metadata
    for (const s of this.partitions.values()) {
      for (let round = 0; ; round++) {
        const batch = s.next(this.maxInFlight, now)
        if (batch === null) break
        if (now - batch.createdAt > this.deliveryTimeoutMs) {
          if (batch.baseSequence >= 0) this.lostSequence()
          batch.fail(new TimeoutError(`${s.topic}-${s.partition}: not delivered within deliveryTimeoutMs ${this.deliveryTimeoutMs}`))
          continue
        }
        const leader = meta?.leaderOf(s.topic, s.partition) ?? -1
        if (leader < 0) {
          s.scheduleRetry(batch, now + 100)
          earliestRetry = Math.min(earliestRetry, 100)
          void this.cluster.refreshMetadata().catch((err: unknown) => this.cluster.logger.warn({ err }, 'metadata refresh failed'))
          break
        }
        if (this.idempotent && batch.baseSequence < 0) {
          batch.baseSequence = s.nextSequence
          s.nextSequence = (s.nextSequence + batch.records.length) % 0x80000000
        }
        s.inFlight.add(batch)
        let rounds = byLeader.get(leader)
        if (rounds === undefined) { rounds = []; byLeader.set(leader, rounds) }
        while (rounds.length <= round) rounds.push([])
        rounds[round]!.push(batch)
      }
      if (s.retry.length > 0 && s.inFlight.size === 0) earliestRetry = Math.min(earliestRetry, Math.max(0, s.retryAt - now))
    }
    if (earliestRetry !== Infinity) this.scheduleRetryDrain(earliestRetry)
    if (byLeader.size === 0) return
    // Build (and compress) every batch first; then write the requests in order.
    const requests: Array<{ leader: number, batches: ProducerBatch[] }> = []
    for (const [leader, rounds] of byLeader) {
      for (const batches of rounds) {
        const built: ProducerBatch[] = []
        await Promise.all(batches.map(async (b) => {
          try {
            b.built ??= await this.build(b)
            built.push(b)
          } catch (err) {
            this.onBatchError(b, err)
          }
        }))
        if (built.length > 0) requests.push({ leader, batches: built })
      }
    }
    if (this.transactions !== null) {
      try {
        await this.transactions.addPartitions(requests.flatMap((r) => r.batches))
      } catch (err) {
        for (const r of requests) for (const b of r.batches) this.onBatchError(b, err)
        return
      }
    }
    for (const { leader, batches } of requests) {
      let connection: Connection
      try {
        connection = await this.cluster.broker(leader)
      } catch (err) {
        for (const b of batches) this.onBatchError(b, err)
        continue
      }
      this.sendRequest(connection, batches)
    }
  }

  private build (b: ProducerBatch): Promise<Buffer> {
    return buildBatch({
      records: b.records,
      compression: this.compression,
      producerId: this.idempotent ? this.producerId : -1n,
      producerEpoch: this.idempotent ? this.producerEpoch : -1,
      baseSequence: this.idempotent ? b.baseSequence : -1,
      transactional: this.transactions !== null
    })
  }

  private sendRequest (connection: Connection, batches: ProducerBatch[]): void {
    const topics = new Map<string, ProduceRequest['topicData'][number]>()
    for (const b of batches) {
      b.attempts++
      let t = topics.get(b.topic)
      if (t === undefined) { t = { name: b.topic, partitionData: [] }; topics.set(b.topic, t) }
      t.partitionData.push({ index: b.partition, records: b.built })
    }
    // Produce 12 is where a transactional producer's partitions join the transaction implicitly
    // (transaction protocol v2); this client runs v1 (AddPartitionsToTxn first), so, as the Java
    // client without v2, a transactional producer stays at 11. Produce 13 names topics by id
    // (KIP-516): used when metadata has every topic's id, else names at 12 at most.
    let version: number
    try {
      version = connection.versionFor(produceApi)
    } catch (err) {
      // No version in common (UnsupportedVersionError): each batch fails with it.
      for (const b of batches) this.onBatchError(b, err)
      return
    }
    if (this.transactions !== null) version = Math.min(version, LAST_BEFORE_TRANSACTION_V2)
    const ids = version >= FIRST_TOPIC_ID_PRODUCE ? this.cluster.metadata?.topicIds(topics.keys()) ?? null : null
    if (ids === null) version = Math.min(version, FIRST_TOPIC_ID_PRODUCE - 1)
    else for (const [name, t] of topics) t.topicId = ids.get(name)
    const request: ProduceRequest = {
      transactionalId: this.transactions?.transactionalId ?? null,
      acks: this.acks,
      timeoutMs: this.ackTimeoutMs,
      topicData: [...topics.values()]
    }
    if (this.acks === 0) {
      try {
        connection.sendOneWay(produceApi, request, version)
        for (const b of batches) this.onBatchDone(b, -1n, -1n)
      } catch (err) {
        for (const b of batches) this.onBatchError(b, err)
      }
      return
    }
    const nameOf = new Map([...(ids ?? [])].map(([name, id]) => [id, name]))
    connection.request(produceApi, request, { version }).then(
      (response) => this.onResponse(batches, response, nameOf),
      (err: unknown) => { for (const b of batches) this.onBatchError(b, err) }
    )
  }

  private onResponse (batches: ProducerBatch[], response: ProduceResponse, nameOf: ReadonlyMap<string, string>): void {
    const results = new Map<string, ProduceResponse['responses'][number]['partitionResponses'][number]>()
    for (const t of response.responses) {
      const name = (t.topicId !== undefined ? nameOf.get(t.topicId) : undefined) ?? t.name ?? ''
      for (const p of t.partitionResponses) results.set(`${name}\u0000${p.index}`, p)
    }
    for (const b of batches) {
      const r = results.get(`${b.topic}\u0000${b.partition}`)
      if (r === undefined) { this.onBatchError(b, kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'no answer for the partition')); continue }
      if (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) this.onBatchDone(b, r.baseOffset, r.logAppendTimeMs ?? -1n)
      else this.onBatchError(b, kafkaError(r.errorCode, r.errorMessage ?? r.recordErrors?.[0]?.batchIndexErrorMessage ?? `${b.topic}-${b.partition}`))
    }
    this.kick()
  }

  private onBatchDone (b: ProducerBatch, baseOffset: bigint, logAppendTime: bigint): void {
    this.state(b.topic, b.partition).inFlight.delete(b)
    b.succeed(baseOffset, logAppendTime)
    this.kick()
  }

  private onBatchError (b: ProducerBatch, err: unknown): void {
    const s = this.state(b.topic, b.partition)
    s.inFlight.delete(b)
    const error = err instanceof Error ? err : new Error(String(err))
    // An out-of-order answer right behind a batch being resent is that resend's consequence, not a
    // loss; so is one behind a lost batch while the epoch bump is pending (it is resent under the new epoch).
    const outOfOrderBehindRetry = error instanceof KafkaError && error.code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER &&
      (s.retry.length > 0 || this.epochBumpNeeded)
    const expired = Date.now() - b.createdAt > this.deliveryTimeoutMs
    if ((isRetriableError(error) || outOfOrderBehindRetry) && !expired && !this.closed) {
      s.scheduleRetry(b, Date.now() + backoffMs(Math.min(b.attempts - 1, 10), this.cluster.retry))
      if (error instanceof KafkaError) void this.cluster.refreshMetadata().catch((e: unknown) => this.cluster.logger.warn({ err: e }, 'metadata refresh failed'))
      this.kick()
      return
    }
    if (b.baseSequence >= 0) this.lostSequence()
    b.fail(expired && isRetriableError(error) ? new TimeoutError(`${b.topic}-${b.partition}: not delivered within deliveryTimeoutMs ${this.deliveryTimeoutMs} (last error: ${error.message})`) : error)
    this.transactions?.onBatchFailed(error)
    this.checkIdle()
  }

  private lostSequence (): void {
    if (this.idempotent && this.transactions === null) this.epochBumpNeeded = true
  }

  /**
   * KIP-360 for an idempotent (non-transactional) producer, as the Java client does it: the epoch
   * is bumped by the client itself (the broker takes a higher epoch starting at sequence 0; an
   * InitProducerId with the current id would get a new id from Kafka when there is no
   * transactional id), and a new producer id is asked for only when the epoch is exhausted.
   * Every partition's sequences start again at 0; batches waiting to be (re)sent are sequenced
   * and built again under the new epoch. False when a new id was needed and could not be had:
   * every queued batch fails, and the next send tries again.
   */
  private async bumpEpoch (): Promise<boolean> {
    if (this.producerEpoch < MAX_PRODUCER_EPOCH) {
      this.producerEpoch++
    } else {
      try {
        await withRetry(async () => {
          const connection = await this.cluster.any()
          const r = await connection.request(initProducerIdApi, { transactionalId: null, transactionTimeoutMs: -1, producerId: -1n, producerEpoch: -1 })
          if (r.errorCode !== ErrorCode.NONE) throw kafkaError(r.errorCode, 'InitProducerId (the producer epoch is exhausted)')
          this.producerId = r.producerId
          this.producerEpoch = r.producerEpoch
        }, this.cluster.retry)
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err))
        this.cluster.logger.error({ err: error }, 'producer id reset failed; failing queued batches')
        for (const s of this.partitions.values()) {
          for (const b of [...s.retry, ...s.ready.splice(0)]) b.fail(error)
          s.retry = []
        }
        return false
      }
    }
    this.cluster.logger.info({ producerId: this.producerId, producerEpoch: this.producerEpoch }, 'producer epoch bumped after a lost batch')
    this.epochBumpNeeded = false
    for (const s of this.partitions.values()) {
      const queued = [...s.retry, ...s.ready]
      for (const b of queued) { b.baseSequence = -1; b.built = null }
      s.ready.splice(0, s.ready.length, ...queued)
      s.retry = []
      s.retryAt = 0
      s.nextSequence = 0
    }
    return true
  }

  private scheduleRetryDrain (delayMs: number): void {
    if (this.retryTimer !== null) return
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.kick() }, delayMs)
  }

  private checkIdle (): void {
    if (this.idleWaiters.length === 0) return
    for (const s of this.partitions.values()) if (!s.idle) return
    const waiters = this.idleWaiters.splice(0)
    for (const w of waiters) w()
  }

  /** Sends every queued record now and resolves when all are settled. */
  async flush (): Promise<void> {
    if (this.lingerTimer !== null) { clearTimeout(this.lingerTimer); this.lingerTimer = null }
    this.closeAll()
    await new Promise<void>((resolve) => { this.idleWaiters.push(resolve); this.checkIdle() })
  }

  async close (): Promise<void> {
    if (this.closed) return
    await this.flush()
    this.closed = true
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    await this.cluster.close()
  }

  // Transactions: thin wrappers over Transactions, so a transactional producer reads like Kafka's.
  async initTransactions (): Promise<void> { await this.txn().init() }
  beginTransaction (): void { this.txn().begin() }
  async sendOffsets (groupId: string, offsets: Array<{ topic: string, partition: number, offset: bigint }>, generation?: { generationId: number, memberId: string }): Promise<void> {
    await this.txn().sendOffsets(groupId, offsets, generation)
  }

  async commitTransaction (): Promise<void> { await this.txn().end(true) }
  async abortTransaction (): Promise<void> { await this.txn().end(false) }

  private txn (): Transactions {
    if (this.transactions === null) throw new IllegalStateError('not a transactional producer: set transactionalId')
    return this.transactions
  }
}

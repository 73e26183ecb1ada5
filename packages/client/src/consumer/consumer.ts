// The consumer: assign mode (assign()) or a consumer group (subscribe()), positions per
// partition, a fetch loop that sends the next Fetch while the caller handles the current
// batches, auto or manual commits, seek / seek to a timestamp, pause / resume, and two ways to
// read: `for await (const batch of consumer)` and run({ eachMessage | eachBatch }).
// A delivered batch counts as consumed when the caller asks for the next one (or returns from
// eachBatch / eachMessage); commit() and auto-commit commit consumed offsets.
import { type Cluster, Cluster as ClusterImpl, type ClientOptions } from '../cluster/cluster.js'
import { IllegalStateError } from '../errors/client-errors.js'
import { KafkaError } from '../errors/kafka-errors.js'
import { ErrorCode } from '@brook/protocol'
import { type Assignor, builtinAssignors, type TopicPartitions } from './assignors.js'
import { type ConsumerBatch, type ConsumerMessage, type FetchedPartition, fetchOnce, type FetchOptions, type PartitionFetchResult } from './fetcher.js'
import { GroupMembership } from './group.js'
import type { FetchSession } from './fetch-session.js'
import { ConsumerProtocolMembership } from './consumer-protocol-membership.js'
import type { GroupHooks, GroupSession, Subscription } from './group-session.js'
import { commitOffsets, EARLIEST, fetchCommitted, LATEST, listOffsets, type TopicPartition, type TopicPartitionOffset, tpKey } from './offsets.js'

export interface ConsumerOptions {
  /** Absent: assign mode only. */
  groupId?: string
  /**
   * group.protocol: 'classic' (JoinGroup/SyncGroup, default) or 'consumer' (KIP-848: the broker
   * assigns; needs a broker with ConsumerGroupHeartbeat, Kafka 4 or Brook).
   */
  groupProtocol?: 'classic' | 'consumer'
  /** group.remote.assignor for groupProtocol 'consumer' (e.g. 'uniform', 'range'); default: the broker's. */
  groupRemoteAssignor?: string
  groupInstanceId?: string
  /** Assignor protocol names, preferred first, or Assignor objects. Default ['range', 'cooperative-sticky', 'RoundRobinAssigner']. */
  assignors?: Array<string | Assignor>
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  heartbeatIntervalMs?: number
  /** enable.auto.commit. Default true. */
  autoCommit?: boolean
  autoCommitIntervalMs?: number
  /** auto.offset.reset. Default 'latest'. */
  autoOffsetReset?: 'earliest' | 'latest'
  isolationLevel?: 'read_uncommitted' | 'read_committed'
  maxWaitMs?: number
  minBytes?: number
  maxBytes?: number
  maxPartitionBytes?: number
}

/** Commit errors that mean the membership moved on: rejoin instead of failing the read loop. */
const REJOIN_ON_COMMIT = new Set<number>([
  ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.STALE_MEMBER_EPOCH, ErrorCode.FENCED_MEMBER_EPOCH
])

export interface EachMessagePayload { topic: string, partition: number, message: ConsumerMessage }
export interface RunOptions {
  eachMessage?: (payload: EachMessagePayload) => Promise<void> | void
  eachBatch?: (batch: ConsumerBatch) => Promise<void> | void
}

interface PartitionPosition {
  topic: string
  partition: number
  /** Next offset to fetch; -1n until resolved from the committed offset or the reset policy. */
  fetchOffset: bigint
  /** Offset after the last record the caller has consumed (what commit() commits). */
  consumed: bigint
  committed: bigint
  /** Bumped by seek, so data fetched from an older position is dropped. */
  epoch: number
}

export class Consumer implements AsyncIterable<ConsumerBatch> {
  readonly cluster: Cluster
  private readonly options: ConsumerOptions
  private readonly fetchOptions: FetchOptions
  private readonly group: GroupSession | null
  private readonly positions = new Map<string, PartitionPosition>()
  private readonly paused = new Set<string>()
  /** Incremental fetch sessions (KIP-227), one per broker. */
  private readonly fetchSessions = new Map<number, FetchSession>()
  private subscription: Subscription = { topics: [], pattern: null }
  private mode: 'none' | 'assign' | 'subscribe' = 'none'
  private running = false
  private closed = false
  private lastAutoCommit = Date.now()
  private iterating = false

  constructor (client: ClientOptions, options: ConsumerOptions = {}) {
    this.cluster = new ClusterImpl(client)
    this.options = options
    this.fetchOptions = {
      maxWaitMs: options.maxWaitMs ?? 500,
      minBytes: options.minBytes ?? 1,
      maxBytes: options.maxBytes ?? 52_428_800,
      maxPartitionBytes: options.maxPartitionBytes ?? 1_048_576,
      isolationLevel: options.isolationLevel === 'read_committed' ? 1 : 0
    }
    this.group = options.groupId === undefined ? null : this.makeGroup(options.groupId, options)
  }

  private makeGroup (groupId: string, options: ConsumerOptions): GroupSession {
    const hooks: GroupHooks = {
      onRevoke: async (partitions) => { await this.revoke(partitions) },
      onAssign: async (partitions) => { this.addPartitions(partitions) },
      onLost: async (partitions) => { this.dropPartitions(partitions) }
    }
    if (options.groupProtocol === 'consumer') {
      return new ConsumerProtocolMembership(this.cluster, groupId, {
        rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 60_000,
        remoteAssignor: options.groupRemoteAssignor ?? null,
        groupInstanceId: options.groupInstanceId ?? null
      }, hooks)
    }
    const assignors = (options.assignors ?? ['range', 'cooperative-sticky', 'RoundRobinAssigner']).map((a) => {
      if (typeof a !== 'string') return a
      const found = builtinAssignors[a]
      if (found === undefined) throw new IllegalStateError(`unknown assignor ${a}; built in: ${Object.keys(builtinAssignors).join(', ')}`)
      return found
    })
    return new GroupMembership(this.cluster, groupId, {
      sessionTimeoutMs: options.sessionTimeoutMs ?? 45_000,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 60_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3_000,
      assignors,
      groupInstanceId: options.groupInstanceId ?? null
    }, hooks)
  }

  /** Assign mode: read exactly these partitions (offset: where to start; default committed or the reset policy). */
  assign (partitions: Array<TopicPartition & { offset?: bigint }>): void {
    if (this.mode === 'subscribe') throw new IllegalStateError('assign() on a consumer that subscribed; use one or the other')
    this.mode = 'assign'
    this.positions.clear()
    for (const p of partitions) {
      this.positions.set(tpKey(p.topic, p.partition), { topic: p.topic, partition: p.partition, fetchOffset: p.offset ?? -1n, consumed: p.offset ?? -1n, committed: -1n, epoch: 0 })
    }
    this.cluster.addInterest(partitions.map((p) => p.topic))
  }

  /**
   * Group mode: join the group for these topics (the rebalance happens on the first read). With
   * groupProtocol 'consumer', `pattern` subscribes to every topic whose whole name matches an RE2
   * regular expression, evaluated by the broker (KIP-848), as well as to `topics`.
   */
  subscribe (options: { topics?: string[], pattern?: string }): void {
    if (this.group === null) throw new IllegalStateError('subscribe() needs a groupId; without one use assign()')
    if (this.mode === 'assign') throw new IllegalStateError('subscribe() on a consumer in assign mode')
    if (options.pattern !== undefined && this.options.groupProtocol !== 'consumer') {
      throw new IllegalStateError('a pattern subscription needs groupProtocol \'consumer\' (the broker evaluates the pattern)')
    }
    this.mode = 'subscribe'
    this.subscription = { topics: [...(options.topics ?? [])], pattern: options.pattern ?? null }
    this.cluster.addInterest(this.subscription.topics)
    this.group.needsRejoin = true
  }

  /** The partitions this consumer reads now. */
  assignment (): TopicPartition[] {
    return [...this.positions.values()].map((p) => ({ topic: p.topic, partition: p.partition }))
  }

  /** The next offset the reader gets from a partition (Java's position()); null while not yet known or not assigned. */
  position (p: TopicPartition): bigint | null {
    const pos = this.positions.get(tpKey(p.topic, p.partition))
    return pos === undefined || pos.consumed < 0n ? null : pos.consumed
  }

  get memberId (): string { return this.group?.memberId ?? '' }
  get generationId (): number { return this.group?.generationId ?? -1 }

  private addPartitions (list: TopicPartitions[]): void {
    for (const tp of list) {
      for (const p of tp.partitions) {
        const key = tpKey(tp.topic, p)
        if (!this.positions.has(key)) this.positions.set(key, { topic: tp.topic, partition: p, fetchOffset: -1n, consumed: -1n, committed: -1n, epoch: 0 })
      }
    }
  }

  private async revoke (list: TopicPartitions[]): Promise<void> {
    if (this.options.autoCommit !== false) {
      try {
        await this.commit()
      } catch (err) {
        // The group moved on (rebalance, fenced): the new owner restarts from the last commit.
        this.cluster.logger.warn({ err }, 'commit before revoking partitions failed')
      }
    }
    this.dropPartitions(list)
  }

  private dropPartitions (list: TopicPartitions[]): void {
    for (const tp of list) for (const p of tp.partitions) this.positions.delete(tpKey(tp.topic, p))
  }

  pause (partitions: TopicPartition[]): void { for (const p of partitions) this.paused.add(tpKey(p.topic, p.partition)) }
  resume (partitions: TopicPartition[]): void { for (const p of partitions) this.paused.delete(tpKey(p.topic, p.partition)) }
  pausedPartitions (): TopicPartition[] { return [...this.paused].map((k) => { const [topic, p] = k.split('\u0000'); return { topic: topic!, partition: Number(p) } }) }

  /** Moves the position of an assigned partition: the next batch starts at `offset`. */
  seek (p: TopicPartitionOffset): void {
    const pos = this.positions.get(tpKey(p.topic, p.partition))
    if (pos === undefined) throw new IllegalStateError(`seek: ${p.topic}-${p.partition} is not assigned to this consumer`)
    pos.fetchOffset = p.offset
    pos.consumed = p.offset
    pos.epoch++
  }

  /** Seeks each partition to its first offset with a timestamp >= `timestamp` (ms), or its end. */
  async seekToTimestamp (partitions: TopicPartition[], timestamp: number | bigint): Promise<void> {
    const found = await listOffsets(this.cluster, partitions.map((p) => ({ ...p, timestamp: BigInt(timestamp) })), this.fetchOptions.isolationLevel)
    for (const p of partitions) this.seek({ ...p, offset: found.get(tpKey(p.topic, p.partition)) ?? -1n })
  }

  /** Commits `offsets` (the next offset to read, Kafka's convention), or every consumed position. */
  async commit (offsets?: TopicPartitionOffset[]): Promise<void> {
    if (this.group === null && this.options.groupId === undefined) throw new IllegalStateError('commit needs a groupId')
    const list = offsets ?? [...this.positions.values()].filter((p) => p.consumed >= 0n && p.consumed !== p.committed).map((p) => ({ topic: p.topic, partition: p.partition, offset: p.consumed }))
    for (let attempt = 1; ; attempt++) {
      try {
        await commitOffsets(this.cluster, this.options.groupId!, list, {
          generationId: this.group?.generationId ?? -1,
          memberId: this.group?.memberId ?? '',
          groupInstanceId: this.options.groupInstanceId ?? null
        })
        break
      } catch (err) {
        // KIP-848: a heartbeat moved the member epoch on while the commit was under way; the
        // commit is valid under the new epoch (as the Java client, retry with it).
        if (attempt >= 3 || this.group === null || !(err instanceof KafkaError) || err.code !== ErrorCode.STALE_MEMBER_EPOCH) throw err
        await this.group.refresh()
      }
    }
    for (const o of list) {
      const pos = this.positions.get(tpKey(o.topic, o.partition))
      if (pos !== undefined) pos.committed = o.offset
    }
  }

  private async resolvePositions (): Promise<void> {
    const unknown = [...this.positions.values()].filter((p) => p.fetchOffset < 0n)
    if (unknown.length === 0) return
    if (this.options.groupId !== undefined) {
      const committed = await fetchCommitted(this.cluster, this.options.groupId, unknown, this.fetchOptions.isolationLevel === 1)
      for (const p of unknown) {
        const c = committed.get(tpKey(p.topic, p.partition))
        if (c !== undefined && c.offset >= 0n) { p.fetchOffset = c.offset; p.consumed = c.offset; p.committed = c.offset }
      }
    }
    const still = unknown.filter((p) => p.fetchOffset < 0n)
    if (still.length === 0) return
    await this.reset(still)
  }

  private async reset (list: PartitionPosition[]): Promise<void> {
    const ts = this.options.autoOffsetReset === 'earliest' ? EARLIEST : LATEST
    const found = await listOffsets(this.cluster, list.map((p) => ({ topic: p.topic, partition: p.partition, timestamp: ts })), this.fetchOptions.isolationLevel)
    for (const p of list) {
      const o = found.get(tpKey(p.topic, p.partition)) ?? 0n
      p.fetchOffset = o
      p.consumed = o
    }
  }

  private async ensureReady (): Promise<void> {
    if (this.mode === 'subscribe' && this.group !== null && this.group.needsRejoin) {
      await this.group.rebalance(this.subscription)
    }
    await this.resolvePositions()
  }

  private startFetch (): { promise: Promise<PartitionFetchResult[]>, epochs: Map<string, number> } | null {
    const wanted = [...this.positions.values()].filter((p) => p.fetchOffset >= 0n && !this.paused.has(tpKey(p.topic, p.partition)))
    if (wanted.length === 0) return null
    const epochs = new Map(wanted.map((p) => [tpKey(p.topic, p.partition), p.epoch]))
    const promise = fetchOnce(this.cluster, wanted.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.fetchOffset })), this.fetchOptions, this.fetchSessions)
    // The loop awaits this promise and sees any rejection; this only keeps a prefetch the loop
    // abandoned (the caller stopped reading) from surfacing as an unhandled rejection.
    promise.catch(() => {})
    return { promise, epochs }
  }

  private async handleError (r: PartitionFetchResult): Promise<void> {
    const pos = this.positions.get(tpKey(r.topic, r.partition))
    if (pos === undefined) return
    if (r.error instanceof KafkaError && r.error.code === ErrorCode.OFFSET_OUT_OF_RANGE) {
      await this.reset([pos])
      return
    }
    if (r.error instanceof KafkaError && !r.error.retriable) throw r.error
    this.cluster.logger.debug({ err: r.error, topic: r.topic, partition: r.partition }, 'fetch failed; retrying')
    await this.cluster.refreshMetadata().catch((err: unknown) => this.cluster.logger.warn({ err }, 'metadata refresh failed'))
  }

  /** Batches as they arrive, one per partition per fetch; empty fetches are not yielded. */
  async * batches (): AsyncGenerator<ConsumerBatch> {
    if (this.iterating) throw new IllegalStateError('one reader at a time: this consumer is already being iterated')
    if (this.mode === 'none') throw new IllegalStateError('call subscribe() or assign() before reading')
    this.iterating = true
    this.running = true
    try {
      let prefetched: ReturnType<Consumer['startFetch']> = null
      while (this.running) {
        await this.ensureReady()
        // A prefetch from before a rebalance or seek is still used: results whose partition,
        // position or seek epoch no longer match are dropped below.
        const started = prefetched ?? this.startFetch()
        prefetched = null
        if (started === null) { await new Promise((resolve) => setTimeout(resolve, 100)); continue }
        const results = await started.promise
        let errorSeen = false
        const ready: FetchedPartition[] = []
        for (const r of results) {
          const key = tpKey(r.topic, r.partition)
          const pos = this.positions.get(key)
          if (pos === undefined || pos.epoch !== started.epochs.get(key) || pos.fetchOffset !== r.fetchedAt || this.paused.has(key)) continue
          if (r.error !== null) { errorSeen = true; await this.handleError(r); continue }
          const fetched = r.fetched!
          pos.fetchOffset = fetched.nextOffset
          if (!fetched.empty) ready.push(fetched)
          else pos.consumed = fetched.nextOffset
        }
        // The next fetch goes out now, while the caller works on these batches.
        if (!errorSeen && ready.length > 0) prefetched = this.startFetch()
        for (const fetched of ready) {
          const key = tpKey(fetched.topic, fetched.partition)
          const pos = this.positions.get(key)
          // A seek or rebalance while the caller worked on an earlier batch makes these stale.
          const epoch = started.epochs.get(key)
          if (pos === undefined || pos.epoch !== epoch) continue
          for await (const batch of fetched.chunks()) {
            if (!this.running || pos.epoch !== epoch) break
            yield batch
            // The caller came back: the batch is consumed (unless it seeked meanwhile).
            if (pos.epoch === epoch) pos.consumed = batch.nextOffset
          }
          if (!this.running) break
          if (pos.epoch === epoch) pos.consumed = fetched.nextOffset
        }
        await this.maybeAutoCommit()
        if (errorSeen) await new Promise((resolve) => setTimeout(resolve, 100))
      }
    } catch (err) {
      // close() while the loop was waiting on the network: the loop ends, it does not fail.
      if (this.closed) return
      throw err
    } finally {
      this.iterating = false
    }
  }

  [Symbol.asyncIterator] (): AsyncIterator<ConsumerBatch> {
    return this.batches()
  }

  private async maybeAutoCommit (): Promise<void> {
    if (this.options.groupId === undefined || this.options.autoCommit === false) return
    if (Date.now() - this.lastAutoCommit < (this.options.autoCommitIntervalMs ?? 5_000)) return
    this.lastAutoCommit = Date.now()
    try {
      await this.commit()
    } catch (err) {
      if (err instanceof KafkaError && REJOIN_ON_COMMIT.has(err.code)) {
        if (this.group !== null) this.group.needsRejoin = true
        return
      }
      throw err
    }
  }

  /** Reads until stop()/close(), calling eachBatch for each batch or eachMessage for each record. */
  async run (options: RunOptions): Promise<void> {
    for await (const batch of this) {
      if (options.eachBatch !== undefined) await options.eachBatch(batch)
      else if (options.eachMessage !== undefined) {
        for (const message of batch.messages) await options.eachMessage({ topic: batch.topic, partition: batch.partition, message })
      }
    }
  }

  /** Ends the read loop after the current batch. */
  stop (): void { this.running = false }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.running = false
    try {
      if (this.options.groupId !== undefined && this.options.autoCommit !== false && this.mode !== 'none') await this.commit()
      await this.group?.leave()
    } finally {
      await this.cluster.close()
    }
  }
}

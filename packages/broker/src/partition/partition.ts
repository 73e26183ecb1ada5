// One partition as this broker sees it: a replica of a PartitionLog, its leader or a follower.
// Single broker (no etcd.endpoints): the only replica and always the leader; an append is committed as soon as its write completes, so the high watermark
// moves to the log end after each write, before any fsync (as Kafka, where the HW follows
// replication, not the disk; acks=all answers still wait for the fsync: docs/durability.md);
// then fetches waiting on this partition are woken.
// Appends are serialised by the log itself (one writer per partition); reads never wait on them.
// Replicated (cluster mode): the high watermark is the leader's to move (replication/
// leader-replication.ts: the smallest log end over the ISR); every append wakes the followers'
// long polls; client appends are refused unless this replica leads, with its current epoch.
import { ErrorCode } from '@brook/protocol'
import type { AppendResult, LogOffsets, PartitionLog, ReadOptions, ReadResult } from '@brook/storage'
import { type FetchPurgatory, partitionKey } from '../purgatory/delayed-fetch.js'
import { KafkaError } from '../errors.js'
import type { LeaderReplication } from '../replication/leader-replication.js'
import { ReadAhead } from './read-ahead.js'
import { VisibilityDelay } from '../delivery/visibility-delay.js'
import type { Logger } from '@brook/common'

export type ReplicaRole = 'leader' | 'follower'

export class Partition {
  readonly topic: string
  readonly index: number
  /** Replaced only by moveTo (AlterReplicaLogDirs), between appends. */
  #log: PartitionLog
  #leaderEpoch = 0
  /** False on a single broker: the only replica, always the leader. */
  readonly replicated: boolean
  #role: ReplicaRole = 'leader'
  /** The leader's broker id as this replica last learned it (cluster mode), -1 when none. */
  leaderId = -1
  /** Follower tracking and the ISR while this replica leads (cluster mode); null otherwise. */
  #replication: LeaderReplication | null = null
  private readonly purgatory: FetchPurgatory
  /** Appends whose records are still being prepared; later appends queue behind them. */
  private preparing = 0
  private submitted: Promise<void> = Promise.resolve()
  readonly key: string
  /** The next read of a consumer reading through (read-ahead.ts). */
  readonly readAhead: ReadAhead
  /** delivery.delay.ms > 0 (Brook's): the consumers' visibility bound; null on ordinary topics. */
  #delay: VisibilityDelay | null = null
  #delayLogger: Logger | undefined

  constructor (log: PartitionLog, purgatory: FetchPurgatory, options: { replicated?: boolean } = {}) {
    this.replicated = options.replicated === true
    this.#log = log
    this.topic = log.topic
    this.index = log.partition
    this.purgatory = purgatory
    this.key = partitionKey(this.topic, this.index)
    this.readAhead = new ReadAhead(async (offset, options) => await this.#log.read(offset, options))
    // Nothing is led until the cluster says so; the HW checkpoint stands until then.
    if (this.replicated) this.#role = 'follower'
    this.#adopt(log)
  }

  get log (): PartitionLog {
    return this.#log
  }

  #adopt (log: PartitionLog): void {
    this.#log = log
    if (this.#delay !== null && this.#delayLogger !== undefined) this.setDeliveryDelay(this.#delay.delayMs, this.#delayLogger, true)
    if (this.replicated) {
      log.onAppend(() => {
        this.purgatory.notify(this.key)
        this.#replication?.onAppend()
      })
      return
    }
    // The only replica is the whole ISR: once loaded, everything in the log is committed (the
    // HW read from the checkpoint lags the log end after a crash, hiding acked messages).
    if (log.highWatermark < log.logEndOffset) log.setHighWatermark(log.logEndOffset)
    log.onAppend((logEndOffset) => { this.advance(logEndOffset) })
  }

  /**
   * Reopens the partition's log elsewhere (`reopen` closes it and returns it reopened), in the
   * append order: appends called meanwhile wait and land in the reopened log. Reads that race
   * with the move may fail once (the client retries); fetches waiting here are woken to re-read.
   */
  async moveTo (reopen: (current: PartitionLog) => Promise<PartitionLog>): Promise<void> {
    this.preparing++
    const moved = this.submitted.then(async () => {
      try {
        this.#adopt(await reopen(this.#log))
        // An early read started on the old log is not worth keeping.
        this.readAhead.drop()
      } finally {
        this.preparing--
      }
    })
    this.submitted = moved.then(() => undefined, () => undefined)
    await moved
    this.purgatory.notify(this.key)
  }

  /** Bumped when leadership changes; 0 on a single broker. */
  get leaderEpoch (): number {
    return this.#leaderEpoch
  }

  get role (): ReplicaRole {
    return this.#role
  }

  get isLeader (): boolean {
    return this.#role === 'leader'
  }

  get replication (): LeaderReplication | null {
    return this.#replication
  }

  /** Cluster mode: this replica leads from now on, with `replication` tracking its followers. */
  lead (epoch: number, replication: LeaderReplication): void {
    this.#replication?.close()
    this.#leaderEpoch = epoch
    this.leaderId = replication.localId
    this.#replication = replication
    this.#role = 'leader'
    replication.onAppend()
  }

  /** Cluster mode: this replica follows `leaderId` (-1: no leader yet); waiting acks=all produces fail. */
  follow (leaderId: number, epoch: number): void {
    this.#replication?.close()
    this.#replication = null
    this.#leaderEpoch = epoch
    this.leaderId = leaderId
    this.#role = 'follower'
    this.readAhead.drop()
    this.purgatory.notify(this.key)
  }

  /** Cluster mode: the follower's HW, the leader's capped at this log's end. */
  setFollowerHighWatermark (leaderHighWatermark: number): void {
    const hw = Math.min(leaderHighWatermark, this.log.logEndOffset)
    if (hw !== this.log.highWatermark) this.log.setHighWatermark(hw)
  }

  /** Moves the high watermark to `end` (never back) and wakes the fetches waiting here. */
  private advance (end: number): void {
    if (end <= this.log.highWatermark) return
    this.log.setHighWatermark(end)
    this.purgatory.notify(this.key)
  }

  /**
   * Appends in call order, even when the records are still being prepared (recompression):
   * the order of append() calls is the order of offsets. Handlers call it synchronously in
   * request order, which keeps one connection's produce requests in order, as Kafka does.
   * `origin` 'coordinator' (transaction markers, transactional offset commits) skips the producer
   * sequence checks that client batches get (storage AppendOptions.origin).
   */
  async append (records: Buffer | Promise<Buffer>, durable: boolean, origin: 'client' | 'coordinator' = 'client'): Promise<AppendResult> {
    if (this.replicated && this.#role !== 'leader') throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `This broker does not lead ${this.key}.`)
    let appended: Promise<AppendResult>
    if (this.preparing === 0 && Buffer.isBuffer(records)) {
      appended = this.log.append(records, { leaderEpoch: this.leaderEpoch, durable, origin })
    } else {
      this.preparing++
      // Wrapped in an object so that the chain waits for submission, not for the write.
      const submitted = this.submitted.then(async () => {
        try {
          return { appended: this.log.append(await records, { leaderEpoch: this.leaderEpoch, durable, origin }) }
        } finally {
          this.preparing--
        }
      })
      // Later appends only wait for this one's turn; its failure reaches its own caller below.
      this.submitted = submitted.then(() => undefined, () => undefined)
      appended = (await submitted).appended
    }
    const result = await appended
    if (this.replicated) return result
    // The write already moved the HW (onAppend); this covers a log that does not report writes.
    this.advance(Math.min(result.lastOffset + 1, this.log.logEndOffset))
    return result
  }

  async read (offset: number, options: ReadOptions): Promise<ReadResult> {
    return await this.log.read(offset, options)
  }

  /** delivery.delay.ms of the topic (0: none); `force` rebuilds even when unchanged (a new log). */
  setDeliveryDelay (delayMs: number, logger: Logger, force = false): void {
    if (!force && (this.#delay?.delayMs ?? 0) === delayMs) return
    this.#delay?.close()
    this.#delayLogger = logger
    this.#delay = delayMs > 0 ? new VisibilityDelay(this.#log, delayMs, () => { this.purgatory.notify(this.key) }, logger) : null
    this.purgatory.notify(this.key)
  }

  get deliveryDelay (): VisibilityDelay | null {
    return this.#delay
  }

  /**
   * What consumers see: offsets() with the high watermark and the last stable offset capped at
   * the visibility bound of delivery.delay.ms (offsets() itself on ordinary topics). Callers await
   * `deliveryDelay.ready` first when there is one (the bound is conservative until then).
   */
  consumerOffsets (): LogOffsets {
    const offsets = this.offsets()
    const delay = this.#delay
    if (delay === null) return offsets
    const bound = Math.max(delay.bound(), offsets.logStartOffset)
    return {
      ...offsets,
      highWatermark: Math.min(offsets.highWatermark, bound),
      lastStableOffset: Math.min(offsets.lastStableOffset, bound)
    }
  }

  /** The consumers' high watermark now, without waiting (to notice a bound that moved during a read). */
  consumerHighWatermark (): number {
    const hw = this.log.highWatermark
    return this.#delay === null ? hw : Math.min(hw, this.#delay.bound())
  }

  offsets (): LogOffsets {
    const log = this.log
    return {
      logStartOffset: log.logStartOffset,
      lastStableOffset: log.lastStableOffset,
      highWatermark: log.highWatermark,
      logEndOffset: log.logEndOffset
    }
  }

  /** DeleteRecords: offset -1 means "up to the high watermark", as Kafka. */
  async deleteRecordsBefore (offset: number): Promise<number> {
    const target = offset === -1 ? this.log.highWatermark : offset
    const start = await this.log.deleteRecordsBefore(target)
    this.purgatory.notify(this.key)
    return start
  }
}

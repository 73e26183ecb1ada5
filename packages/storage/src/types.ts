// The storage package's public contract: what the broker may call on a partition log.
// Offsets and positions are plain numbers (safe integers, 2^53) inside storage; the broker
// converts to bigint at the protocol edge.
import type { ActiveProducer } from './producer-state/producer-state-manager.js'
import type { AbortedTxn } from './producer-state/txn-index.js'
import type { EpochEndOffset, EpochEntry } from './epoch/leader-epoch-cache.js'

export type { ActiveProducer, AbortedTxn, EpochEndOffset, EpochEntry }

/** Topic-level log settings, with Kafka's topic config names in the comments. */
export interface LogConfig {
  /** segment.bytes */
  segmentBytes: number
  /** segment.ms */
  segmentMs: number
  /** segment.index.bytes: an index this full rolls the segment */
  segmentIndexBytes: number
  /** index.interval.bytes: bytes of log between two offset-index entries */
  indexIntervalBytes: number
  /** retention.ms (-1: unlimited) */
  retentionMs: number
  /** retention.bytes (-1: unlimited) */
  retentionBytes: number
  /** cleanup.policy */
  cleanupPolicy: ReadonlyArray<'delete' | 'compact'>
  /** delete.retention.ms: how long tombstones survive compaction */
  deleteRetentionMs: number
  /** min.cleanable.dirty.ratio */
  minCleanableDirtyRatio: number
  /** min.compaction.lag.ms */
  minCompactionLagMs: number
  /** max.compaction.lag.ms */
  maxCompactionLagMs: number
  /** flush.messages: fsync after this many messages (Long.MAX_VALUE: leave it to the OS) */
  flushMessages: number
  /** flush.ms: fsync when the oldest unflushed data is this old */
  flushMs: number
  /** file.delete.delay.ms */
  fileDeleteDelayMs: number
  /** message.timestamp.type */
  messageTimestampType: 'CreateTime' | 'LogAppendTime'
  /** preallocate (accepted; Brook does not preallocate) */
  preallocate: boolean
}

export interface AppendOptions {
  /** Written into each batch's partitionLeaderEpoch. */
  leaderEpoch: number
  /**
   * Resolve only after an fsync that covers this append (acks=all on a single replica).
   * Concurrent durable appends share one fsync (group commit).
   */
  durable: boolean
  /** Wall clock for LogAppendTime and segment.ms; defaults to Date.now(). */
  now?: number
  /**
   * Who appends, for producer state checks: 'client' (default: sequence, epoch and duplicate
   * checks), 'coordinator' (transaction markers, transactional offset commits: epoch checks only).
   */
  origin?: 'client' | 'coordinator'
}

export interface AppendResult {
  baseOffset: number
  lastOffset: number
  /** The timestamp stamped on a LogAppendTime topic, -1 for CreateTime. */
  logAppendTime: number
  logStartOffset: number
}

/**
 * How far a fetch may read (Kafka's FetchIsolation): a follower to the log end, a consumer to the
 * high watermark (read_uncommitted) or the last stable offset (read_committed).
 */
export type FetchIsolation = 'LOG_END' | 'HIGH_WATERMARK' | 'TXN_COMMITTED'

export interface ReadOptions {
  /** Stop once this many bytes are gathered (whole batches only). */
  maxBytes: number
  /** Exclusive upper bound: batches whose base offset is at or past it are not returned (HW or LSO). */
  maxOffset?: number
  /** Return the first batch even when it alone is larger than maxBytes (Kafka's minOneMessage). */
  minOneBatch: boolean
  /**
   * Buffers for the bytes read from a file (a pool the caller recycles once it is done with the
   * result); default Buffer.allocUnsafe. The log keeps none of them.
   */
  allocate?: (size: number) => Buffer
}

export interface ReadResult {
  /** Whole batches, starting with the one that contains the requested offset. */
  chunks: Buffer[]
  bytes: number
}

export interface TimestampOffset {
  offset: number
  timestamp: number
  /** partitionLeaderEpoch of the batch holding the record, when known (ListOffsets v4+). */
  leaderEpoch?: number
}

/** The partition's named offsets: logStartOffset <= lastStableOffset <= highWatermark <= logEndOffset. */
export interface LogOffsets {
  logStartOffset: number
  lastStableOffset: number
  highWatermark: number
  logEndOffset: number
}

export interface PartitionLog {
  readonly topic: string
  readonly partition: number
  readonly config: LogConfig
  readonly logStartOffset: number
  readonly logEndOffset: number
  readonly highWatermark: number
  readonly lastStableOffset: number
  /** Bytes on disk across all segments. */
  readonly size: number
  /** Segment files of the log (metrics). */
  readonly segmentCount: number

  /**
   * Appends one or more complete v2 batches, already validated by the caller (magic, CRC,
   * framing). Offsets are assigned by patching baseOffset in place. Appends are serialised
   * per partition and coalesced into one write. Rejects with StorageError on I/O failure;
   * after one, every later append fails too until the log is reopened.
   */
  append (records: Buffer, options: AppendOptions): Promise<AppendResult>

  /** Whole batches from the one containing `offset`. Rejects OffsetOutOfRange outside [logStart, LEO]. */
  read (offset: number, options: ReadOptions): Promise<ReadResult>

  /** First offset whose timestamp is >= timestamp, or null when none is. */
  offsetForTimestamp (timestamp: number): Promise<TimestampOffset | null>

  /**
   * The batch holding the largest timestamp, answered from memory: its timestamp and the batch's
   * last offset. Use findMaxTimestampOffset for the exact record.
   */
  maxTimestampOffset (): TimestampOffset | null

  /** The record with the largest timestamp, the first of equals (ListOffsets MAX_TIMESTAMP), or null. */
  findMaxTimestampOffset (): Promise<TimestampOffset | null>

  /** Sets the high watermark, clamped to [logStartOffset, logEndOffset] (the replication layer owns it). */
  setHighWatermark (offset: number): void

  /** Moves the high watermark forward only, capped at the log end; true when it moved. */
  maybeIncrementHighWatermark (offset: number): boolean

  /** true: the only replica, the high watermark follows the log end after every write. Default false. */
  setSingleReplica (single: boolean): void

  /** The exclusive read bound for a fetch of this isolation (LEO, HW or LSO). */
  fetchUpperBound (isolation: FetchIsolation): number

  /**
   * A follower's append: complete v2 batches fetched from the leader, written with their own
   * offsets, leader epochs and timestamps. Rejects with UnexpectedAppendOffsetError when the first
   * batch starts below the log end, CORRUPT_MESSAGE for bad framing, CRC or offsets going back.
   */
  appendAsFollower (records: Buffer, options?: { durable?: boolean }): Promise<AppendResult>

  /** The latest leader epoch of the log (its epoch cache), null when none. */
  readonly latestEpoch: number | null

  /** OffsetForLeaderEpoch: the largest epoch <= epoch and its end offset; UNDEFINED (-1, -1) when unknown. */
  endOffsetForEpoch (epoch: number): EpochEndOffset

  /** The leader epoch of the batch holding offset (from the epoch cache), null when unknown. */
  epochForOffset (offset: number): number | null

  /** The epoch cache's entries (epoch, start offset), oldest first. */
  leaderEpochEntries (): EpochEntry[]

  /** A replica becoming leader records its new epoch at the log end (persisted before it resolves). */
  assignEpochStartOffset (epoch: number): Promise<void>

  /** Moves the log start offset forward (DeleteRecords); returns the new log start offset. */
  deleteRecordsBefore (offset: number): Promise<number>

  /**
   * Removes everything at and after offset (follower truncation): whole and partial segments,
   * index and .txnindex entries, leader epochs starting there; producer state is rebuilt and the
   * high watermark capped. Durable before it resolves. Below the log start: truncateFullyAndStartAt.
   */
  truncateTo (offset: number): Promise<void>

  /** Empties the log and restarts it at offset (a follower too far behind the leader's log start). */
  truncateFullyAndStartAt (offset: number): Promise<void>

  updateConfig (config: LogConfig): void

  flush (): Promise<void>

  /** Called after every completed append with the new log end offset (wakes long-polls). */
  onAppend (listener: (logEndOffset: number) => void): () => void

  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset): a read_committed fetch's abortedTransactions. */
  abortedTransactions (fetchOffset: number, upperBoundOffset: number): Promise<AbortedTxn[]>

  /** Producers with idempotence/transaction state on this partition (DescribeProducers). */
  activeProducers (): ActiveProducer[]

  /** Drops producers idle for expirationMs (producer.id.expiration.ms) with no open transaction. */
  removeExpiredProducers (now: number, expirationMs: number): number
}

export type StorageErrorKind =
  | 'KAFKA_STORAGE_ERROR'
  | 'OFFSET_OUT_OF_RANGE'
  | 'CORRUPT_MESSAGE'
  | 'RECORD_LIST_TOO_LARGE'
  // Producer state refused the append (producer-state/append-info.ts); nothing was written.
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  | 'INVALID_PRODUCER_EPOCH'
  | 'INVALID_TXN_STATE'
  | 'TRANSACTION_COORDINATOR_FENCED'

/** A storage failure that the broker maps to the Kafka error code of the same name. */
export class StorageError extends Error {
  readonly kind: StorageErrorKind
  constructor (kind: StorageErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StorageError'
    this.kind = kind
  }
}

/**
 * A follower's append does not start at or after the log end (Kafka's
 * UnexpectedAppendOffsetException): the fetcher is out of step with the log (truncate first).
 * Maps to OFFSET_OUT_OF_RANGE should it reach a client.
 */
export class UnexpectedAppendOffsetError extends StorageError {
  readonly firstOffset: number
  readonly logEndOffset: number
  constructor (firstOffset: number, logEndOffset: number, partition: string) {
    super('OFFSET_OUT_OF_RANGE', `follower append to ${partition} starts at ${firstOffset}, below the log end ${logEndOffset}`)
    this.name = 'UnexpectedAppendOffsetError'
    this.firstOffset = firstOffset
    this.logEndOffset = logEndOffset
  }
}

/**
 * What storage reports to whoever measures it (the broker's metrics), so this package needs no
 * metrics library: plain callbacks, called on the write path (keep them cheap).
 */
export interface LogObserver {
  /**
   * One fsync pass of a partition log and how long it took (ms): `produce` for the group commit
   * that acks=all appends wait for, `flush` for flush.ms / flush.messages / explicit flushes.
   */
  fsynced: (cause: 'produce' | 'flush', ms: number) => void
}

// One transactional id's metadata (Kafka's TransactionMetadata), immutable: every change builds
// a new value through `transit`, which enforces the transition table (./state.ts). The shard
// keeps only what the log says: a value becomes current when its record is replayed.
//
// Epochs: a producer's epoch is bumped by InitProducerId (and by fencing); once it reaches
// Short.MAX - 1 the id is exhausted and the next InitProducerId rotates to a new producer id.
// lastProducerEpoch lets a retried InitProducerId (the response was lost) get its answer again;
// like Kafka with log value v0, it is kept in memory only (-1 after a reload).
import { ErrorCode } from '@brook/protocol'
import { IllegalTxnTransition, TxnState, canTransition } from './state.js'

export const NO_PRODUCER_ID = -1n
export const NO_PRODUCER_EPOCH = -1
const SHORT_MAX = 32767

export interface TopicPartition {
  topic: string
  partition: number
}

export interface TxnMetadata {
  readonly transactionalId: string
  readonly producerId: bigint
  /** The producer id before the last rotation (-1). */
  readonly lastProducerId: bigint
  readonly producerEpoch: number
  /** The epoch before the last bump, for retried InitProducerId (-1: unknown). */
  readonly lastProducerEpoch: number
  readonly timeoutMs: number
  readonly state: TxnState
  /** Partitions in the transaction, sorted by topic then partition, no duplicates. */
  readonly partitions: readonly TopicPartition[]
  /** When the first partition was added (-1: no transaction). */
  readonly startTimestamp: number
  readonly lastUpdateTimestamp: number
}

export function isEpochExhausted (epoch: number): boolean {
  return epoch >= SHORT_MAX - 1
}

export function newTxnMetadata (transactionalId: string, producerId: bigint, timeoutMs: number, now: number): TxnMetadata {
  return {
    transactionalId,
    producerId,
    lastProducerId: NO_PRODUCER_ID,
    producerEpoch: NO_PRODUCER_EPOCH,
    lastProducerEpoch: NO_PRODUCER_EPOCH,
    timeoutMs,
    state: TxnState.Empty,
    partitions: [],
    startTimestamp: -1,
    lastUpdateTimestamp: now
  }
}

/** The metadata in state `to` with `changes` applied; throws IllegalTxnTransition outside the table. */
export function transit (m: TxnMetadata, to: TxnState, changes: Partial<Omit<TxnMetadata, 'transactionalId' | 'state'>> = {}): TxnMetadata {
  if (!canTransition(m.state, to)) throw new IllegalTxnTransition(m.transactionalId, m.state, to)
  return { ...m, ...changes, state: to }
}

export function comparePartitions (a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition
}

function mergePartitions (current: readonly TopicPartition[], added: readonly TopicPartition[]): TopicPartition[] {
  const seen = new Set(current.map(key))
  const out = [...current]
  for (const tp of added) {
    if (seen.has(key(tp))) continue
    seen.add(key(tp))
    out.push({ topic: tp.topic, partition: tp.partition })
  }
  return out.sort(comparePartitions)
}

export function containsAll (current: readonly TopicPartition[], wanted: readonly TopicPartition[]): boolean {
  const have = new Set(current.map(key))
  return wanted.every((tp) => have.has(key(tp)))
}

export function partitionKey (tp: TopicPartition): string {
  return key(tp)
}

function key (tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`
}

/** Groups partitions by topic, in order (log values, DescribeTransactions). */
export function byTopic (partitions: readonly TopicPartition[]): Array<{ topic: string, partitions: number[] }> {
  const out: Array<{ topic: string, partitions: number[] }> = []
  for (const tp of partitions) {
    const last = out.at(-1)
    if (last?.topic === tp.topic) last.partitions.push(tp.partition)
    else out.push({ topic: tp.topic, partitions: [tp.partition] })
  }
  return out
}

export type EpochBump = { ok: true, metadata: TxnMetadata } | { ok: false, code: typeof ErrorCode.PRODUCER_FENCED }

/**
 * InitProducerId on a transactional id with no open transaction: bump the epoch (Kafka's
 * prepareIncrementProducerEpoch). `expectedEpoch` is the producer's own epoch (v3+) or null.
 */
export function prepareIncrementProducerEpoch (m: TxnMetadata, timeoutMs: number, expectedEpoch: number | null, now: number): EpochBump {
  let producerEpoch: number
  let lastProducerEpoch: number
  if (expectedEpoch === null) {
    // A new incarnation of the producer: bump, and forget the previous epoch (it is now fenced).
    producerEpoch = m.producerEpoch + 1
    lastProducerEpoch = NO_PRODUCER_EPOCH
  } else if (m.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === m.producerEpoch) {
    // The current producer recovering from an abortable error.
    producerEpoch = m.producerEpoch + 1
    lastProducerEpoch = m.producerEpoch
  } else if (expectedEpoch === m.lastProducerEpoch) {
    // A retry of a bump whose response was lost: answer it again without bumping.
    producerEpoch = m.producerEpoch
    lastProducerEpoch = m.lastProducerEpoch
  } else {
    return { ok: false, code: ErrorCode.PRODUCER_FENCED }
  }
  return {
    ok: true,
    metadata: transit(m, TxnState.Empty, { producerEpoch, lastProducerEpoch, timeoutMs, partitions: [], startTimestamp: -1, lastUpdateTimestamp: now })
  }
}

/** A fresh producer id at epoch 0 once the old one's epochs are used up. */
export function prepareProducerIdRotation (m: TxnMetadata, producerId: bigint, timeoutMs: number, now: number, recordLastEpoch: boolean): TxnMetadata {
  return transit(m, TxnState.Empty, {
    producerId,
    lastProducerId: m.producerId,
    producerEpoch: 0,
    lastProducerEpoch: recordLastEpoch ? m.producerEpoch : NO_PRODUCER_EPOCH,
    timeoutMs,
    partitions: [],
    startTimestamp: -1,
    lastUpdateTimestamp: now
  })
}

/**
 * The first half of fencing an open transaction: the epoch is bumped so the old producer's
 * requests and batches are refused. Never written on its own: it is followed at once by
 * prepareAbortOrCommit(PrepareAbort), and that record carries the bumped epoch.
 */
export function prepareFenceProducerEpoch (m: TxnMetadata): TxnMetadata {
  const producerEpoch = m.producerEpoch >= SHORT_MAX ? m.producerEpoch : m.producerEpoch + 1
  return transit(m, TxnState.PrepareEpochFence, { producerEpoch, lastProducerEpoch: NO_PRODUCER_EPOCH })
}

export function prepareAddPartitions (m: TxnMetadata, added: readonly TopicPartition[], now: number): TxnMetadata {
  const fresh = m.state === TxnState.Empty || m.state === TxnState.CompleteCommit || m.state === TxnState.CompleteAbort
  return transit(m, TxnState.Ongoing, {
    partitions: mergePartitions(fresh ? [] : m.partitions, added),
    startTimestamp: fresh ? now : m.startTimestamp,
    lastUpdateTimestamp: now
  })
}

export function prepareAbortOrCommit (m: TxnMetadata, to: typeof TxnState.PrepareCommit | typeof TxnState.PrepareAbort, now: number): TxnMetadata {
  return transit(m, to, { lastUpdateTimestamp: now })
}

/** Markers are written everywhere: the transaction is over and its partitions are forgotten. */
export function prepareComplete (m: TxnMetadata, now: number): TxnMetadata {
  const to = m.state === TxnState.PrepareCommit ? TxnState.CompleteCommit : TxnState.CompleteAbort
  return transit(m, to, { partitions: [], lastUpdateTimestamp: now })
}

export function prepareDead (m: TxnMetadata): TxnMetadata {
  return transit(m, TxnState.Dead, { partitions: [] })
}

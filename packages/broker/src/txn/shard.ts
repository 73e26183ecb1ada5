// One transaction coordinator shard: the transactional ids of one `__transaction_state`
// partition. Operations are pure over the current metadata and return the records to append and
// the outcome (Kafka's CoordinatorResult); the runtime appends the records durably, replays them
// here, and only then hands the outcome on. Replay is the only way metadata changes.
//
// Error rules, as Kafka's TransactionCoordinator for transaction protocol v1:
//   unknown id / other producer id      INVALID_PRODUCER_ID_MAPPING
//   epoch differs from the current one  PRODUCER_FENCED (handlers downgrade it for old versions)
//   PrepareCommit/PrepareAbort          CONCURRENT_TRANSACTIONS (markers are being written; retry)
//   EndTxn in a state that cannot end   INVALID_TXN_STATE; a repeated EndTxn of a finished
//                                       transaction with the same result answers NONE
import { ErrorCode } from '@brook/protocol'
import {
  type TopicPartition, type TxnMetadata, containsAll, isEpochExhausted, newTxnMetadata, prepareAbortOrCommit,
  prepareAddPartitions, prepareComplete, prepareDead, prepareFenceProducerEpoch, prepareIncrementProducerEpoch,
  prepareProducerIdRotation, partitionKey, transit, NO_PRODUCER_EPOCH
} from './metadata.js'
import type { CoordinatorResult, CoordinatorShard, RecordPosition } from '../coordinator/runtime.js'
import type { TxnRecord } from './records.js'
import { TxnState, isExpirationAllowed } from './state.js'

export type TxnOpResult<T> = CoordinatorResult<TxnRecord, T>

export type InitProducerIdOutcome =
  | { kind: 'error', code: number }
  | { kind: 'ok', producerId: bigint, producerEpoch: number }
  /** An open transaction was fenced: its abort is prepared (markers to write); the client retries. */
  | { kind: 'fenced', metadata: TxnMetadata }

export type EndTxnOutcome =
  | { kind: 'error', code: number }
  /** Already finished with this result: nothing to do. */
  | { kind: 'done' }
  /** PrepareCommit/PrepareAbort is durable: write the markers, then complete. */
  | { kind: 'prepared', metadata: TxnMetadata }

export interface ProducerIdAndEpoch {
  producerId: bigint
  producerEpoch: number
}

export interface InitProducerIdInput {
  transactionalId: string
  timeoutMs: number
  /** v3+: the producer's current id and epoch (recovering from an error); null otherwise. */
  expected: ProducerIdAndEpoch | null
  /** A freshly allocated producer id, when needsNewProducerId said one is needed. */
  newProducerId: bigint | null
  now: number
}

function ok<T> (response: T, records: TxnRecord[] = []): TxnOpResult<T> {
  return { records, response }
}

function write (m: TxnMetadata): TxnRecord {
  return { transactionalId: m.transactionalId, value: m }
}

export class TxnShard implements CoordinatorShard<TxnRecord> {
  readonly partition: number
  /** The leader epoch of the `__transaction_state` partition: markers carry it. */
  readonly coordinatorEpoch: number
  readonly #txns = new Map<string, TxnMetadata>()

  constructor (partition: number, coordinatorEpoch = 0) {
    this.partition = partition
    this.coordinatorEpoch = coordinatorEpoch
  }

  get (transactionalId: string): TxnMetadata | undefined {
    return this.#txns.get(transactionalId)
  }

  all (): IterableIterator<TxnMetadata> {
    return this.#txns.values()
  }

  /**
   * `written` (a live append) carries the one field the log format lacks, lastProducerEpoch: soft
   * state, as in Kafka, kept across the replay of what was just written.
   */
  replay (record: TxnRecord, _at?: RecordPosition, written?: TxnRecord): void {
    if (record.value === null) {
      this.#txns.delete(record.transactionalId)
      return
    }
    const lastProducerEpoch = written?.value?.lastProducerEpoch
    this.#txns.set(record.transactionalId, lastProducerEpoch === undefined ? record.value : { ...record.value, lastProducerEpoch })
  }

  /** `__transaction_state` has no transactions of its own: never called with anything to do. */
  replayEndTransaction (): void {}

  /** Whether InitProducerId will need a new producer id (allocated before the operation runs). */
  needsNewProducerId (transactionalId: string, expected: ProducerIdAndEpoch | null): boolean {
    const m = this.#txns.get(transactionalId)
    if (m === undefined) return true
    const idle = m.state === TxnState.Empty || m.state === TxnState.CompleteCommit || m.state === TxnState.CompleteAbort
    return idle && isEpochExhausted(m.producerEpoch) && (expected === null || expected.producerEpoch === m.producerEpoch)
  }

  initProducerId (input: InitProducerIdInput): TxnOpResult<InitProducerIdOutcome> {
    const { transactionalId, timeoutMs, expected, newProducerId, now } = input
    let m = this.#txns.get(transactionalId)
    if (m === undefined) {
      if (newProducerId === null) return ok({ kind: 'error', code: ErrorCode.COORDINATOR_NOT_AVAILABLE })
      m = newTxnMetadata(transactionalId, newProducerId, timeoutMs, now)
    }
    if (expected !== null && !validExpectedProducerId(m, expected)) return ok({ kind: 'error', code: ErrorCode.PRODUCER_FENCED })
    switch (m.state) {
      case TxnState.PrepareAbort:
      case TxnState.PrepareCommit:
        return ok({ kind: 'error', code: ErrorCode.CONCURRENT_TRANSACTIONS })
      case TxnState.Ongoing: {
        // Fence the open transaction: abort it under a bumped epoch that is never handed out.
        // The client gets CONCURRENT_TRANSACTIONS and retries, which bumps the epoch again.
        const aborting = prepareAbortOrCommit(prepareFenceProducerEpoch(m), TxnState.PrepareAbort, now)
        return ok({ kind: 'fenced', metadata: aborting }, [write(aborting)])
      }
      case TxnState.Empty:
      case TxnState.CompleteAbort:
      case TxnState.CompleteCommit: {
        let next: TxnMetadata
        if (isEpochExhausted(m.producerEpoch) && (expected === null || expected.producerEpoch === m.producerEpoch)) {
          if (newProducerId === null) return ok({ kind: 'error', code: ErrorCode.COORDINATOR_NOT_AVAILABLE })
          next = prepareProducerIdRotation(m, newProducerId, timeoutMs, now, expected !== null)
        } else {
          const bump = prepareIncrementProducerEpoch(m, timeoutMs, expected?.producerEpoch ?? null, now)
          if (!bump.ok) return ok({ kind: 'error', code: bump.code })
          next = bump.metadata
        }
        return ok({ kind: 'ok', producerId: next.producerId, producerEpoch: next.producerEpoch }, [write(next)])
      }
      default:
        // Dead and PrepareEpochFence are never current (not replayed): a bug if seen.
        return ok({ kind: 'error', code: ErrorCode.UNKNOWN_SERVER_ERROR })
    }
  }

  /** Checks producer id and epoch and the state, for AddPartitionsToTxn and its verify-only form. */
  #checkProducer (m: TxnMetadata | undefined, producerId: bigint, producerEpoch: number): number {
    if (m === undefined || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (m.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED
    if (m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort) return ErrorCode.CONCURRENT_TRANSACTIONS
    return ErrorCode.NONE
  }

  addPartitions (transactionalId: string, producerId: bigint, producerEpoch: number, partitions: readonly TopicPartition[], now: number): TxnOpResult<number> {
    const m = this.#txns.get(transactionalId)
    const code = this.#checkProducer(m, producerId, producerEpoch)
    if (code !== ErrorCode.NONE || m === undefined) return ok(code)
    // Already in the transaction: nothing to write.
    if (m.state === TxnState.Ongoing && containsAll(m.partitions, partitions)) return ok(ErrorCode.NONE)
    return ok(ErrorCode.NONE, [write(prepareAddPartitions(m, partitions, now))])
  }

  /** AddPartitionsToTxn v4 verifyOnly: per partition, NONE when it is in the open transaction. */
  verifyPartitions (transactionalId: string, producerId: bigint, producerEpoch: number, partitions: readonly TopicPartition[]): Map<string, number> {
    const m = this.#txns.get(transactionalId)
    const code = this.#checkProducer(m, producerId, producerEpoch)
    const inTxn = new Set(m?.state === TxnState.Ongoing ? m.partitions.map(partitionKey) : [])
    return new Map(partitions.map((tp) => [partitionKey(tp),
      code !== ErrorCode.NONE ? code : inTxn.has(partitionKey(tp)) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE]))
  }

  /**
   * EndTxn, or the coordinator's own abort (isFromClient false: the epoch may be newer than the
   * request's, as after fencing).
   */
  endTxn (transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean, isFromClient: boolean, now: number): TxnOpResult<EndTxnOutcome> {
    const m = this.#txns.get(transactionalId)
    const fail = (code: number): TxnOpResult<EndTxnOutcome> => ok({ kind: 'error', code })
    if (m === undefined || m.producerId !== producerId) return fail(ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    if ((isFromClient && producerEpoch !== m.producerEpoch) || producerEpoch < m.producerEpoch) return fail(ErrorCode.PRODUCER_FENCED)
    switch (m.state) {
      case TxnState.Ongoing: {
        const next = prepareAbortOrCommit(m, commit ? TxnState.PrepareCommit : TxnState.PrepareAbort, now)
        return ok({ kind: 'prepared', metadata: next }, [write(next)])
      }
      case TxnState.CompleteCommit:
        return commit ? ok({ kind: 'done' }) : fail(ErrorCode.INVALID_TXN_STATE)
      case TxnState.CompleteAbort:
        return commit ? fail(ErrorCode.INVALID_TXN_STATE) : ok({ kind: 'done' })
      case TxnState.PrepareCommit:
        return fail(commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE)
      case TxnState.PrepareAbort:
        return fail(commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS)
      case TxnState.Empty:
        return fail(ErrorCode.INVALID_TXN_STATE)
      default:
        return fail(ErrorCode.UNKNOWN_SERVER_ERROR)
    }
  }

  /** After every marker is written: CompleteCommit/CompleteAbort, if nothing moved meanwhile. */
  completeTxn (transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean, now: number): TxnOpResult<number> {
    const m = this.#txns.get(transactionalId)
    if (m === undefined || m.producerId !== producerId) return ok(ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    if (m.producerEpoch !== producerEpoch) return ok(ErrorCode.PRODUCER_FENCED)
    const expected = commit ? TxnState.PrepareCommit : TxnState.PrepareAbort
    if (m.state !== expected) return ok(ErrorCode.INVALID_TXN_STATE)
    return ok(ErrorCode.NONE, [write(prepareComplete(m, now))])
  }

  /** Ongoing transactions started more than their timeout ago (Kafka's timedOutTransactions). */
  timedOut (now: number): Array<{ transactionalId: string, producerId: bigint }> {
    const out: Array<{ transactionalId: string, producerId: bigint }> = []
    for (const m of this.#txns.values()) {
      if (m.state === TxnState.Ongoing && m.startTimestamp + m.timeoutMs < now) out.push({ transactionalId: m.transactionalId, producerId: m.producerId })
    }
    return out
  }

  /** Fences a timed-out transaction and prepares its abort (the producer learns it is fenced). */
  abortTimedOut (transactionalId: string, producerId: bigint, now: number): TxnOpResult<EndTxnOutcome> {
    const m = this.#txns.get(transactionalId)
    if (m === undefined || m.producerId !== producerId || m.state !== TxnState.Ongoing || m.startTimestamp + m.timeoutMs >= now) {
      return ok({ kind: 'error', code: ErrorCode.INVALID_TXN_STATE })
    }
    const next = prepareAbortOrCommit(prepareFenceProducerEpoch(m), TxnState.PrepareAbort, now)
    return ok({ kind: 'prepared', metadata: next }, [write(next)])
  }

  /**
   * Check-back (check-back.ts): fences the producer of a transaction past its timeout (epoch bump,
   * written) and keeps the transaction open while its endpoint is asked. null when it changed.
   */
  fenceForCheckBack (transactionalId: string, producerId: bigint, now: number): TxnOpResult<TxnMetadata | null> {
    const m = this.#txns.get(transactionalId)
    if (m === undefined || m.producerId !== producerId || m.state !== TxnState.Ongoing || m.startTimestamp + m.timeoutMs >= now) return ok(null)
    if (isEpochExhausted(m.producerEpoch)) return ok(null)
    const next = transit(m, TxnState.Ongoing, { producerEpoch: m.producerEpoch + 1, lastProducerEpoch: NO_PRODUCER_EPOCH, lastUpdateTimestamp: now })
    return ok(next, [write(next)])
  }

  /** Ids idle past transactional.id.expiration.ms in a state that allows it. */
  expirable (now: number, expirationMs: number): string[] {
    const out: string[] = []
    for (const m of this.#txns.values()) {
      if (isExpirationAllowed(m.state) && m.lastUpdateTimestamp + expirationMs <= now) out.push(m.transactionalId)
    }
    return out
  }

  /** Writes the tombstone of an expired id (Kafka: transition to Dead, then remove). */
  expire (transactionalId: string, now: number, expirationMs: number): TxnOpResult<boolean> {
    const m = this.#txns.get(transactionalId)
    if (m === undefined || !isExpirationAllowed(m.state) || m.lastUpdateTimestamp + expirationMs > now) return ok(false)
    // Checks the transition (Dead only from Empty/Complete*); what is written is the tombstone.
    prepareDead(m)
    return ok(true, [{ transactionalId, value: null }])
  }

  /** Transactions whose markers still have to be written (PrepareCommit/PrepareAbort after a load). */
  pendingCompletion (): TxnMetadata[] {
    return [...this.#txns.values()].filter((m) => m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort)
  }
}

/**
 * Kafka's isValidProducerId for InitProducerId v3+: the producer's id must be the current one,
 * or the previous one with an exhausted epoch (a retry after rotation), unless the metadata is new.
 */
function validExpectedProducerId (m: TxnMetadata, expected: ProducerIdAndEpoch): boolean {
  return m.producerEpoch === -1 ||
    expected.producerId === m.producerId ||
    (expected.producerId === m.lastProducerId && isEpochExhausted(expected.producerEpoch))
}

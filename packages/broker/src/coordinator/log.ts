// The coordinator's view of one partition of its topic: append records durably (plainly, or as a
// transaction's batch), append transaction markers, and read everything back at load. Small on
// purpose, so the runtime runs against the real partition log (./partition-log.ts) or this
// in-memory one (tests).
//
// Records are Kafka's key/value bytes (group/record-codec.ts, txn/records.ts); a null value is a
// tombstone. Replay visits the log in offset order as entries: a record carries the producer id of
// its batch when the batch is transactional (NO_PRODUCER_ID otherwise), a marker is a COMMIT/ABORT
// control batch.

/** Kafka's RecordBatch.NO_PRODUCER_ID: the record is not part of a transaction. */
export const NO_PRODUCER_ID = -1n

export interface CoordinatorLogRecord {
  key: Buffer
  value: Buffer | null
}

/** The producer a transactional append belongs to. */
export interface TxnProducer {
  producerId: bigint
  producerEpoch: number
}

export interface EndTxnMarker extends TxnProducer {
  commit: boolean
  coordinatorEpoch: number
}

export type CoordinatorLogEntry =
  | { type: 'record', offset: number, producerId: bigint, producerEpoch: number, record: CoordinatorLogRecord }
  | { type: 'marker', offset: number, producerId: bigint, producerEpoch: number, commit: boolean }

export interface CoordinatorLog {
  /**
   * Appends the records as one batch (transactional for `producer` when given). Resolves with the
   * offset of the last record once the batch is durable; rejects (and appends nothing) on failure.
   */
  append (records: CoordinatorLogRecord[], timestamp: number, producer?: TxnProducer): Promise<number>
  /** Appends a COMMIT/ABORT marker durably; resolves with its offset. */
  appendMarker (marker: EndTxnMarker, timestamp: number): Promise<number>
  /** Visits every record and marker from the start of the log, in offset order. */
  replay (visit: (entry: CoordinatorLogEntry) => void): Promise<void>
  /**
   * True once the partition behind this log was deleted (its topic deleted, or deleted and created
   * again): the runtime then resigns the whole topic. Absent: the log never goes away.
   */
  retired? (): boolean
}

/**
 * A log kept in memory; `failNextAppend` makes the next append (or marker) reject (fault
 * injection), `deleted` stands for its topic's deletion.
 */
export class MemoryCoordinatorLog implements CoordinatorLog {
  readonly entries: Array<CoordinatorLogEntry & { timestamp: number }> = []
  failNextAppend: Error | null = null
  deleted = false

  /** The data records, in offset order. */
  get records (): Array<CoordinatorLogRecord & { offset: number, producerId: bigint }> {
    return this.entries.flatMap((e) => e.type === 'record' ? [{ ...e.record, offset: e.offset, producerId: e.producerId }] : [])
  }

  async append (records: CoordinatorLogRecord[], timestamp: number, producer?: TxnProducer): Promise<number> {
    await this.#admit()
    for (const r of records) {
      this.entries.push({
        type: 'record',
        offset: this.entries.length,
        producerId: producer?.producerId ?? NO_PRODUCER_ID,
        producerEpoch: producer?.producerEpoch ?? -1,
        record: { key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) },
        timestamp
      })
    }
    return this.entries.length - 1
  }

  async appendMarker (marker: EndTxnMarker, timestamp: number): Promise<number> {
    await this.#admit()
    const { producerId, producerEpoch, commit } = marker
    this.entries.push({ type: 'marker', offset: this.entries.length, producerId, producerEpoch, commit, timestamp })
    return this.entries.length - 1
  }

  async replay (visit: (entry: CoordinatorLogEntry) => void): Promise<void> {
    await Promise.resolve()
    for (const entry of this.entries) visit(entry)
  }

  retired (): boolean {
    return this.deleted
  }

  async #admit (): Promise<void> {
    await Promise.resolve()
    const failure = this.failNextAppend
    if (failure !== null) {
      this.failNextAppend = null
      throw failure
    }
  }
}

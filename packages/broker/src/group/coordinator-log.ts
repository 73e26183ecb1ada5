// The coordinator's view of one `__consumer_offsets` partition: append records durably, and read
// everything back at load. Small on purpose, so the runtime runs against the real partition log
// (./partition-coordinator-log.ts) or this in-memory one (tests, and a broker without storage).
//
// Records are Kafka's key/value bytes (./record-codec.ts); a null value is a tombstone.

export interface CoordinatorLogRecord {
  key: Buffer
  value: Buffer | null
}

export interface CoordinatorLog {
  /**
   * Appends the records as one batch. Resolves with the offset of the last record once the
   * batch is durable; rejects (and appends nothing) on failure.
   */
  append (records: CoordinatorLogRecord[], timestamp: number): Promise<number>
  /** Visits every record from the start of the log, in offset order. */
  replay (visit: (record: CoordinatorLogRecord, offset: number) => void): Promise<void>
}

/** A log kept in memory; `failNextAppend` makes the next append reject (fault injection). */
export class MemoryCoordinatorLog implements CoordinatorLog {
  readonly records: Array<CoordinatorLogRecord & { offset: number, timestamp: number }> = []
  failNextAppend: Error | null = null

  async append (records: CoordinatorLogRecord[], timestamp: number): Promise<number> {
    await Promise.resolve()
    const failure = this.failNextAppend
    if (failure !== null) {
      this.failNextAppend = null
      throw failure
    }
    for (const r of records) {
      this.records.push({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value), offset: this.records.length, timestamp })
    }
    return this.records.length - 1
  }

  async replay (visit: (record: CoordinatorLogRecord, offset: number) => void): Promise<void> {
    await Promise.resolve()
    for (const r of this.records) visit({ key: r.key, value: r.value }, r.offset)
  }
}

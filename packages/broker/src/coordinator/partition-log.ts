// CoordinatorLog over a real partition of a coordinator topic (`__consumer_offsets`,
// `__transaction_state`: compacted).
//
// Append: the records of one operation become ONE uncompressed v2 batch (the coordinator's clock as
// CreateTime), appended durably (fsync before the promise resolves): a coordinator never answers
// for state a crash could lose. A plain batch has producer id -1; a transaction's batch (Kafka's
// TxnOffsetCommit records) is flagged transactional with the producer's id and epoch and base
// sequence 0, as Kafka's coordinator writes it, and is appended with origin 'coordinator' (the
// partition checks the epoch, not sequences). A marker is the standard COMMIT/ABORT control batch.
// Replay: whole batches from the log start up to the log end (see replay()), in order. A control
// batch becomes a marker entry (control types other than COMMIT/ABORT are skipped); a data batch's
// records carry its producer id when it is transactional. Recovery rule: a batch that does not
// decode (bad CRC after a torn write is already cut by storage recovery) stops nothing: it is
// reported to onBadBatch and loading continues with the next batch.
import {
  ControlType, batchBaseOffset, batchLastOffset, buildBatchSync, buildEndTxnMarker, decodeBatchSync, isControlBatch,
  iterateBatches, readControlMarker
} from '@brook/protocol'
import type { LogOffsets, PartitionLog, ReadOptions, ReadResult } from '@brook/storage'
import {
  type CoordinatorLog, type CoordinatorLogEntry, type CoordinatorLogRecord, type EndTxnMarker, NO_PRODUCER_ID, type TxnProducer
} from './log.js'

/** What the adapter needs of a partition: the broker's Partition (which also moves the HW) fits. */
export interface AppendablePartition {
  append (records: Buffer, durable: boolean, origin: 'client' | 'coordinator'): Promise<{ lastOffset: number }>
  read (offset: number, options: ReadOptions): Promise<ReadResult>
  offsets (): LogOffsets
}

const REPLAY_CHUNK_BYTES = 1024 * 1024

/** A bare PartitionLog as a single-replica leader: the high watermark follows each append. */
export function partitionLogAsLeader (log: PartitionLog): AppendablePartition {
  return {
    append: async (records, durable, origin) => {
      const result = await log.append(records, { leaderEpoch: 0, durable, origin })
      if (result.lastOffset + 1 > log.highWatermark) log.setHighWatermark(result.lastOffset + 1)
      return result
    },
    read: async (offset, options) => await log.read(offset, options),
    offsets: () => ({
      logStartOffset: log.logStartOffset,
      lastStableOffset: log.lastStableOffset,
      highWatermark: log.highWatermark,
      logEndOffset: log.logEndOffset
    })
  }
}

export class PartitionCoordinatorLog implements CoordinatorLog {
  readonly #partition: AppendablePartition
  readonly #onBadBatch: (offset: number, err: Error) => void
  readonly #current: () => boolean

  /** `current`: whether `partition` is still the broker's partition of that name (false once deleted). */
  constructor (partition: AppendablePartition, onBadBatch: (offset: number, err: Error) => void = () => {}, current: () => boolean = () => true) {
    this.#partition = partition
    this.#onBadBatch = onBadBatch
    this.#current = current
  }

  retired (): boolean {
    return !this.#current()
  }

  async append (records: CoordinatorLogRecord[], timestamp: number, producer?: TxnProducer): Promise<number> {
    const batch = buildBatchSync({
      ...(producer === undefined ? {} : { transactional: true, producerId: producer.producerId, producerEpoch: producer.producerEpoch, baseSequence: 0 }),
      records: records.map((r) => ({ key: r.key, value: r.value, timestamp: BigInt(timestamp) }))
    })
    const result = await this.#partition.append(batch, true, 'coordinator')
    return result.lastOffset
  }

  async appendMarker (marker: EndTxnMarker, timestamp: number): Promise<number> {
    const result = await this.#partition.append(buildEndTxnMarker({ ...marker, timestamp: BigInt(timestamp) }), true, 'coordinator')
    return result.lastOffset
  }

  async replay (visit: (entry: CoordinatorLogEntry) => void): Promise<void> {
    // Everything in the log is committed: this broker is the only replica and every coordinator
    // append was fsynced before it was acknowledged. After a crash the high watermark comes from a
    // checkpoint and may lag the log end, so the log end is the bound (with replicas it would be
    // the high watermark).
    const { logStartOffset, highWatermark, logEndOffset } = this.#partition.offsets()
    const end = Math.max(highWatermark, logEndOffset)
    let next = logStartOffset
    while (next < end) {
      const { chunks } = await this.#partition.read(next, { maxBytes: REPLAY_CHUNK_BYTES, maxOffset: end, minOneBatch: true })
      let progressed = false
      for (const chunk of chunks) {
        for (const raw of iterateBatches(chunk)) {
          const base = batchBaseOffset(raw)
          const last = batchLastOffset(raw)
          if (last < next) continue
          progressed = true
          next = last + 1
          let entries: CoordinatorLogEntry[]
          try {
            entries = entriesOf(raw)
          } catch (err) {
            if (!(err instanceof Error)) throw err
            this.#onBadBatch(base, err)
            continue
          }
          for (const entry of entries) visit(entry)
        }
      }
      if (!progressed) break
    }
  }
}

/** The entries of one batch; throws when it does not decode. */
function entriesOf (raw: Buffer): CoordinatorLogEntry[] {
  if (isControlBatch(raw)) {
    const marker = readControlMarker(raw)
    if (marker === null || (marker.type !== ControlType.Commit && marker.type !== ControlType.Abort)) return []
    const { producerId, producerEpoch } = marker
    return [{ type: 'marker', offset: batchBaseOffset(raw), producerId, producerEpoch, commit: marker.type === ControlType.Commit }]
  }
  const decoded = decodeBatchSync(raw)
  const producerId = decoded.isTransactional ? decoded.header.producerId : NO_PRODUCER_ID
  const producerEpoch = decoded.isTransactional ? decoded.header.producerEpoch : -1
  return decoded.records.flatMap((r): CoordinatorLogEntry[] => r.key === null
    ? []
    : [{ type: 'record', offset: Number(r.offset), producerId, producerEpoch, record: { key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) } }])
}

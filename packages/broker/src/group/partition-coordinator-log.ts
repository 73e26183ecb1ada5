// CoordinatorLog over a real partition of `__consumer_offsets` (a compacted topic).
//
// Append: the records of one operation become ONE uncompressed v2 batch (producer id -1, the
// coordinator's clock as CreateTime), appended durably (fsync before the promise resolves): a
// coordinator never answers for state a crash could lose.
// Replay: whole batches from the log start up to the log end (see replay()), in order; control batches
// (transaction markers) carry no group state and are skipped. Recovery rule: a batch that does not
// decode (bad CRC after a torn write is already cut by storage recovery) stops nothing: its
// records are counted as skipped by the runtime's codec and loading continues with the next batch.
import { batchBaseOffset, batchLastOffset, buildBatchSync, decodeBatchSync, iterateBatches } from '@brook/protocol'
import type { LogOffsets, PartitionLog, ReadOptions, ReadResult } from '@brook/storage'
import type { CoordinatorLog, CoordinatorLogRecord } from './coordinator-log.js'

/** What the adapter needs of a partition: the broker's Partition (which also moves the HW) fits. */
export interface AppendablePartition {
  append (records: Buffer, durable: boolean): Promise<{ lastOffset: number }>
  read (offset: number, options: ReadOptions): Promise<ReadResult>
  offsets (): LogOffsets
}

const REPLAY_CHUNK_BYTES = 1024 * 1024

/** A bare PartitionLog as a single-replica leader: the high watermark follows each append. */
export function partitionLogAsLeader (log: PartitionLog): AppendablePartition {
  return {
    append: async (records, durable) => {
      const result = await log.append(records, { leaderEpoch: 0, durable })
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

  constructor (partition: AppendablePartition, onBadBatch: (offset: number, err: Error) => void = () => {}) {
    this.#partition = partition
    this.#onBadBatch = onBadBatch
  }

  async append (records: CoordinatorLogRecord[], timestamp: number): Promise<number> {
    const batch = buildBatchSync({
      records: records.map((r) => ({ key: r.key, value: r.value, timestamp: BigInt(timestamp) }))
    })
    const result = await this.#partition.append(batch, true)
    return result.lastOffset
  }

  async replay (visit: (record: CoordinatorLogRecord, offset: number) => void): Promise<void> {
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
          let decoded
          try {
            decoded = decodeBatchSync(raw)
          } catch (err) {
            if (!(err instanceof Error)) throw err
            this.#onBadBatch(base, err)
            continue
          }
          if (decoded.isControl) continue
          for (const record of decoded.records) {
            if (record.key === null) continue
            visit({ key: Buffer.from(record.key), value: record.value === null ? null : Buffer.from(record.value) }, Number(record.offset))
          }
        }
      }
      if (!progressed) break
    }
  }
}

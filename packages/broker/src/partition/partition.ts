// One partition as this broker sees it: the leader (single replica) of a PartitionLog.
// Single replica: an append is committed as soon as it completes, so the high watermark moves
// to the end of each completed append; then fetches waiting on this partition are woken.
// Appends are serialised by the log itself (one writer per partition); reads never wait on them.
import type { AppendResult, LogOffsets, PartitionLog, ReadOptions, ReadResult } from '@brook/storage'
import { type FetchPurgatory, partitionKey } from '../purgatory/delayed-fetch.js'

export class Partition {
  readonly topic: string
  readonly index: number
  readonly log: PartitionLog
  /** Bumped when leadership changes; constant on a single broker. */
  readonly leaderEpoch = 0
  private readonly purgatory: FetchPurgatory
  readonly key: string

  constructor (log: PartitionLog, purgatory: FetchPurgatory) {
    this.log = log
    this.topic = log.topic
    this.index = log.partition
    this.purgatory = purgatory
    this.key = partitionKey(this.topic, this.index)
  }

  async append (records: Buffer, durable: boolean): Promise<AppendResult> {
    const result = await this.log.append(records, { leaderEpoch: this.leaderEpoch, durable })
    // Appends complete in order, so max() only guards against a racing truncation.
    const end = result.lastOffset + 1
    if (end > this.log.highWatermark) this.log.setHighWatermark(end)
    this.purgatory.notify(this.key)
    return result
  }

  async read (offset: number, options: ReadOptions): Promise<ReadResult> {
    return await this.log.read(offset, options)
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

// The records of one share-partition in a ShareFetch answer: the broker sends whole batches and
// the offset ranges this member acquired (each with its delivery count); only records inside an
// acquired range are the member's. Acquired offsets with no record for the reader (control
// records) are returned as gaps, to be acknowledged as GAP.
import { decodeBatch, isControlBatch, iterateBatches, readBatchHeader } from '@brook/protocol'
import type { ConsumerMessage } from '../consumer/fetcher.js'

export interface ShareMessage extends ConsumerMessage {
  /** How many times this record has been delivered to the group, this time included. */
  deliveryCount: number
}

export interface AcquiredRange { firstOffset: bigint, lastOffset: bigint, deliveryCount: number }

export interface DecodedShareRecords { messages: ShareMessage[], gaps: bigint[] }

function countOf (ranges: readonly AcquiredRange[], offset: bigint): number {
  for (const r of ranges) if (offset >= r.firstOffset && offset <= r.lastOffset) return r.deliveryCount
  return 0
}

export async function decodeShareRecords (topic: string, partition: number, records: Buffer | Buffer[] | null | undefined, ranges: readonly AcquiredRange[]): Promise<DecodedShareRecords> {
  const messages: ShareMessage[] = []
  if (ranges.length === 0) return { messages, gaps: [] }
  const blob = Array.isArray(records) ? Buffer.concat(records) : (records ?? Buffer.alloc(0))
  const seen = new Set<bigint>()
  for (const raw of iterateBatches(blob)) {
    const header = readBatchHeader(raw, 0)
    const last = header.baseOffset + BigInt(header.lastOffsetDelta)
    if (!ranges.some((r) => r.lastOffset >= header.baseOffset && r.firstOffset <= last)) continue
    if (isControlBatch(raw, 0)) continue
    const batch = await decodeBatch(raw)
    for (const r of batch.records) {
      const deliveryCount = countOf(ranges, r.offset)
      if (deliveryCount === 0) continue
      seen.add(r.offset)
      messages.push({ topic, partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers, deliveryCount })
    }
  }
  const gaps: bigint[] = []
  for (const r of ranges) for (let o = r.firstOffset; o <= r.lastOffset; o++) if (!seen.has(o)) gaps.push(o)
  return { messages, gaps }
}

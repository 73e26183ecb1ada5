// Producer-id blocks from one cluster-wide counter, by compare-and-swap: no two calls, on any
// brokers, ever get overlapping blocks, and a block is never handed out again.
import type { ProducerIdBlock } from '../cluster-metadata.js'
import { MetadataError } from '../errors.js'
import { type FencedWriter, MAX_ATTEMPTS, fencedWrite } from './fenced-write.js'
import { decodeProducerIds, encode } from './records.js'

/** Kafka's producer id block size (AllocateProducerIds). */
export const PRODUCER_ID_BLOCK_SIZE = 1000

export async function allocateProducerIds (w: FencedWriter): Promise<ProducerIdBlock> {
  const { kv, keys } = w.ctx
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get(keys.producerIds)
    const record = entry === null ? null : decodeProducerIds(entry.value)
    if (entry !== null && record === null) throw new MetadataError('INVALID_REQUEST', `${keys.producerIds} does not decode`)
    const first = record === null ? 0n : BigInt(record.nextProducerId)
    const next = first + BigInt(PRODUCER_ID_BLOCK_SIZE)
    const revision = await fencedWrite(w, [{ key: keys.producerIds, target: 'mod', revision: entry?.modRevision ?? 0 }],
      [{ type: 'put', key: keys.producerIds, value: encode({ nextProducerId: next.toString() }) }])
    if (revision !== null) return Object.freeze({ brokerId: w.brokerId, firstProducerId: first, size: PRODUCER_ID_BLOCK_SIZE })
  }
  throw new MetadataError('REQUEST_TIMED_OUT', 'producer id allocation kept racing')
}

// Counts the records in fetched bytes by walking batch headers only (no decompression): each
// chunk a fetch returns starts at a batch boundary and may end in a batch cut short by the size
// limit, which the client reads again later and is not counted here. Control batches
// (transaction markers) are not records a consumer sees.
import { ATTRIBUTES, BATCH_LENGTH, CONTROL_MASK, CURRENT_MAGIC, LOG_OVERHEAD, MAGIC, RECORD_COUNT, RECORDS } from '@brook/protocol'

export function countRecords (chunks: readonly Buffer[]): number {
  let count = 0
  for (const chunk of chunks) {
    let pos = 0
    while (pos + RECORDS <= chunk.length) {
      const size = LOG_OVERHEAD + chunk.readInt32BE(pos + BATCH_LENGTH)
      if (size < RECORDS || pos + size > chunk.length || chunk[pos + MAGIC] !== CURRENT_MAGIC) break
      if ((chunk.readInt16BE(pos + ATTRIBUTES) & CONTROL_MASK) === 0) count += chunk.readInt32BE(pos + RECORD_COUNT)
      pos += size
    }
  }
  return count
}

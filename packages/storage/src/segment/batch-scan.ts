// Walks the batches of a .log file region by reading it in large chunks, checking each batch's
// framing (and CRC when asked). The log layout is record-batch.ts's: batches back to back, each
// LOG_OVERHEAD + batchLength bytes. Recovery truncates a segment at the first batch that fails
// these checks (a torn or corrupt tail).
import {
  BATCH_LENGTH, CURRENT_MAGIC, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAGIC, MAX_TIMESTAMP,
  MIN_BATCH_LENGTH, RECORD_COUNT, batchBaseOffset, hasValidCrc
} from '@brook/protocol'
import type { FileHandle } from '../fs/file-system.js'

export interface ScannedBatch {
  /** Byte position of the batch in the file. */
  position: number
  size: number
  baseOffset: number
  lastOffset: number
  maxTimestamp: number
  recordCount: number
  /** The chunk holding the batch, and the batch's start within it (valid during the callback). */
  buf: Buffer
  at: number
}

export interface ScanOptions {
  verifyCrc: boolean
  /** Bytes read per syscall (a batch larger than this is read whole). */
  chunkSize: number
  /** Offsets must not go below this (the segment base, then each batch's next offset). */
  minOffset?: number
  /**
   * Visit headers only: a batch larger than the chunk is not read whole (its body is not in
   * `buf`); no CRC check. For lookups.
   */
  headersOnly?: boolean
}

export interface ScanEnd {
  /** Position after the last good batch visited. */
  position: number
  /** Why the scan stopped before `end`, when it did because of bad bytes. */
  problem: string | null
  /** True when the callback asked to stop. */
  stopped: boolean
}

/**
 * Checks one batch's framing: its header must be in buf[at, limit) and the batch must fit the
 * `remaining` bytes of the file; with verifyCrc the whole batch must be in buf and its CRC right.
 * A reason string when it is bad.
 */
function checkBatch (buf: Buffer, at: number, limit: number, verifyCrc: boolean, remaining = limit - at): string | null {
  if (limit - at < LOG_OVERHEAD + MIN_BATCH_LENGTH || remaining < LOG_OVERHEAD + MIN_BATCH_LENGTH) return 'truncated batch header'
  const batchLength = buf.readInt32BE(at + BATCH_LENGTH)
  if (batchLength < MIN_BATCH_LENGTH) return `batchLength ${batchLength} below the minimum`
  const magic = buf.readInt8(at + MAGIC)
  if (magic !== CURRENT_MAGIC) return `magic ${magic}`
  if (buf.readInt32BE(at + LAST_OFFSET_DELTA) < 0) return 'negative lastOffsetDelta'
  if (buf.readInt32BE(at + RECORD_COUNT) < 0) return 'negative record count'
  if (LOG_OVERHEAD + batchLength > remaining) return 'batch runs past the end'
  if (verifyCrc) {
    if (LOG_OVERHEAD + batchLength > limit - at) return 'batch runs past the end'
    if (!hasValidCrc(buf, at)) return 'CRC mismatch'
  }
  return null
}

/**
 * Visits every batch in [start, end) until the callback returns false or a batch fails the checks.
 * Header fields needed by callers are decoded once here.
 */
export async function scanBatches (
  fh: FileHandle, start: number, end: number, options: ScanOptions,
  visit: (batch: ScannedBatch) => boolean | void | Promise<boolean | void>
): Promise<ScanEnd> {
  let pos = start
  let minOffset = options.minOffset ?? -Infinity
  let chunk: Buffer = Buffer.alloc(0)
  let chunkStart = start
  const headersOnly = options.headersOnly === true
  const need = headersOnly ? LOG_OVERHEAD + MIN_BATCH_LENGTH : LOG_OVERHEAD
  while (pos < end) {
    let at = pos - chunkStart
    if (pos < chunkStart || at + need > chunk.length) {
      chunk = await readChunk(fh, pos, Math.min(options.chunkSize, end - pos))
      chunkStart = pos
      at = 0
      if (chunk.length < LOG_OVERHEAD) return { position: pos, problem: 'truncated batch header', stopped: false }
    }
    const batchLength = chunk.readInt32BE(at + BATCH_LENGTH)
    const size = LOG_OVERHEAD + batchLength
    if (!headersOnly && batchLength >= MIN_BATCH_LENGTH && size <= end - pos && at + size > chunk.length) {
      // The batch is whole in the file but not in this chunk: read it (and more) from its start.
      chunk = await readChunk(fh, pos, Math.min(Math.max(options.chunkSize, size), end - pos))
      chunkStart = pos
      at = 0
    }
    const problem = headersOnly
      ? checkBatch(chunk, at, chunk.length, false, end - pos)
      : checkBatch(chunk, at, Math.min(chunk.length, end - chunkStart), options.verifyCrc)
    if (problem !== null) return { position: pos, problem, stopped: false }
    const baseOffset = batchBaseOffset(chunk, at)
    const lastOffset = baseOffset + chunk.readInt32BE(at + LAST_OFFSET_DELTA)
    if (baseOffset < minOffset) return { position: pos, problem: `offset ${baseOffset} goes backwards (expected >= ${minOffset})`, stopped: false }
    const batch: ScannedBatch = {
      position: pos,
      size,
      baseOffset,
      lastOffset,
      maxTimestamp: Number(chunk.readBigInt64BE(at + MAX_TIMESTAMP)),
      recordCount: chunk.readInt32BE(at + RECORD_COUNT),
      buf: chunk,
      at
    }
    let verdict = visit(batch)
    if (verdict instanceof Promise) verdict = await verdict
    if (verdict === false) return { position: pos, problem: null, stopped: true }
    minOffset = lastOffset + 1
    pos += size
  }
  return { position: pos, problem: null, stopped: false }
}

async function readChunk (fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length)
  const n = await fh.read(buf, 0, length, position)
  return n === length ? buf : buf.subarray(0, n)
}

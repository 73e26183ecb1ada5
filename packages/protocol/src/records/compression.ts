// The compressed `records` block of a v2 batch (attributes bits 0-2), one codec per id:
//   1 gzip    a gzip stream (RFC 1952); several members are read as one
//   2 snappy  written in the xerial framing Kafka's Java client uses:
//               magic 82 'S' 'N' 'A' 'P' 'P' 'Y' 00, version int32 (1), compatible version int32 (1),
//               then blocks of [int32 compressed length][raw snappy block] (32 KiB of input each);
//             read: that framing, or one raw snappy block (librdkafka and others write it)
//   3 lz4     the LZ4 frame format (magic 04 22 4D 18), not raw blocks
//   4 zstd    zstd frame(s)
// Recovery rule: corrupt, truncated or oversized input rejects/throws CompressionError; output
// larger than `maxBytes` (default 256 MiB) is refused before it is allocated where the format
// declares its size (snappy, zstd) or its headers bound it (lz4: lz4-frame.ts), else as soon as
// it is seen.
import { promisify } from 'node:util'
import * as zlib from 'node:zlib'
import * as snappy from 'snappy'
import * as lz4 from 'lz4-napi'
import zstdBinding from 'zstd-napi/binding.js'
import { Compression } from './record-batch.js'
import { lz4FrameBound } from './lz4-frame.js'

export class CompressionError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CompressionError'
  }
}

export interface DecompressOptions {
  /** Largest output accepted; guards against decompression bombs. */
  maxBytes?: number
}

export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_SIZE = 16
const XERIAL_VERSION = 1
const XERIAL_BLOCK_SIZE = 32 * 1024

const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

const gzipAsync = promisify(zlib.gzip)
const gunzipAsync = promisify(zlib.gunzip)

function limitOf (options?: DecompressOptions): number {
  return options?.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES
}

function checkSize (codec: string, size: number, limit: number): void {
  if (size > limit) throw new CompressionError(`${codec}: decompressed size ${size} exceeds the limit of ${limit} bytes`)
}

function unknownCodec (codec: number): CompressionError {
  return new CompressionError(`unknown compression codec ${codec}`)
}

// ---- snappy ----

export function isXerialSnappy (buf: Buffer): boolean {
  return buf.length >= XERIAL_HEADER_SIZE && buf.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)
}

/** The uncompressed length a raw snappy block declares (its leading uvarint). */
function snappyDeclaredLength (block: Buffer): number {
  let value = 0
  for (let i = 0, shift = 0; i < 5 && i < block.length; i++, shift += 7) {
    const b = block[i]!
    value += (b & 0x7f) * 2 ** shift
    if ((b & 0x80) === 0) return value
  }
  throw new CompressionError('snappy: bad length header')
}

function xerialBlocks (buf: Buffer): Buffer[] {
  const blocks: Buffer[] = []
  let pos = XERIAL_HEADER_SIZE
  while (pos < buf.length) {
    if (pos + 4 > buf.length) throw new CompressionError('snappy: truncated xerial block header')
    const length = buf.readInt32BE(pos)
    pos += 4
    if (length < 0 || pos + length > buf.length) throw new CompressionError('snappy: xerial block runs past the end')
    blocks.push(buf.subarray(pos, pos + length))
    pos += length
  }
  return blocks
}

function snappyBlocks (buf: Buffer, limit: number): Buffer[] {
  const blocks = isXerialSnappy(buf) ? xerialBlocks(buf) : [buf]
  let declared = 0
  for (const block of blocks) declared += snappyDeclaredLength(block)
  checkSize('snappy', declared, limit)
  return blocks
}

function xerialHeader (): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_SIZE)
  XERIAL_MAGIC.copy(header, 0)
  header.writeInt32BE(XERIAL_VERSION, 8)
  header.writeInt32BE(XERIAL_VERSION, 12)
  return header
}

function xerialFrame (compressedBlocks: Buffer[]): Buffer {
  const parts: Buffer[] = [xerialHeader()]
  for (const block of compressedBlocks) {
    const length = Buffer.allocUnsafe(4)
    length.writeInt32BE(block.length, 0)
    parts.push(length, block)
  }
  return Buffer.concat(parts)
}

function splitBlocks (buf: Buffer): Buffer[] {
  const blocks: Buffer[] = []
  for (let pos = 0; pos < buf.length; pos += XERIAL_BLOCK_SIZE) blocks.push(buf.subarray(pos, pos + XERIAL_BLOCK_SIZE))
  return blocks
}

function asBuffer (out: string | Buffer): Buffer {
  if (typeof out === 'string') throw new CompressionError('snappy: expected a Buffer result')
  return out
}

// ---- zstd ----
// zstd-napi's own decompress() trusts the frame's declared size and has no output limit,
// so frames are decoded here with the streaming call and a bound.

const zstdReadSize = zstdBinding.dStreamOutSize()
// One context each, reused: calls are synchronous on the one JS thread, so never shared mid-use.
const dctx = new zstdBinding.DCtx()
const cctx = new zstdBinding.CCtx()

function zstdDecompress (buf: Buffer, limit: number): Buffer {
  const declared = zstdBinding.getFrameContentSize(buf)
  if (declared !== null) checkSize('zstd', declared, limit)
  // A previous call may have stopped mid-frame on bad input.
  dctx.reset(zstdBinding.ResetDirective.sessionOnly)
  const chunks: Buffer[] = []
  let total = 0
  let input = buf
  for (;;) {
    const room = Math.min(Math.max(zstdReadSize, input.length * 4), limit - total + 1)
    const out = Buffer.allocUnsafe(room)
    const [remaining, produced, consumed] = dctx.decompressStream(out, input)
    total += produced
    checkSize('zstd', total, limit)
    if (produced > 0) chunks.push(out.subarray(0, produced))
    input = input.subarray(consumed)
    if (remaining === 0 && input.length === 0) break
    if (produced < room && input.length === 0 && remaining !== 0) throw new CompressionError('zstd: truncated frame')
    if (produced === 0 && consumed === 0) throw new CompressionError('zstd: no progress decoding frame')
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)
}

// ---- lz4 ----

/**
 * Refuses a frame whose headers allow more than the limit (plus one block of rounding) before it
 * is decoded: the binding allocates the whole output, and LZ4 expands up to 255 times.
 */
function lz4Precheck (buf: Buffer, limit: number): Buffer {
  const bound = lz4FrameBound(buf)
  if (bound.declared !== null) checkSize('lz4', bound.declared, limit)
  if (bound.bytes > limit + bound.blockMax) throw new CompressionError(`lz4: frame may decompress to ${bound.bytes} bytes, above the limit of ${limit} bytes`)
  return buf
}

function lz4Check (out: Buffer, limit: number): Buffer {
  checkSize('lz4', out.length, limit)
  return out
}

// ---- public API ----

export function compressSync (codec: Compression, buf: Buffer): Buffer {
  switch (codec) {
    case Compression.None: return buf
    case Compression.Gzip: return zlib.gzipSync(buf)
    case Compression.Snappy: return xerialFrame(splitBlocks(buf).map((b) => snappy.compressSync(b)))
    case Compression.Lz4: return lz4.compressFrameSync(buf)
    case Compression.Zstd: return zstdCompress(buf)
    default: throw unknownCodec(codec)
  }
}

function zstdCompress (buf: Buffer): Buffer {
  const out = Buffer.allocUnsafe(zstdBinding.compressBound(buf.length))
  // Level 3 is zstd's default and Kafka's (compression.zstd.level).
  const written = cctx.compress(out, buf, 3)
  return out.subarray(0, written)
}

export async function compress (codec: Compression, buf: Buffer): Promise<Buffer> {
  switch (codec) {
    case Compression.None: return buf
    case Compression.Gzip: return await gzipAsync(buf)
    case Compression.Snappy: return xerialFrame(await Promise.all(splitBlocks(buf).map((b) => snappy.compress(b))))
    case Compression.Lz4: return await lz4.compressFrame(buf)
    case Compression.Zstd: return zstdCompress(buf)
    default: throw unknownCodec(codec)
  }
}

export function decompressSync (codec: Compression, buf: Buffer, options?: DecompressOptions): Buffer {
  const limit = limitOf(options)
  try {
    switch (codec) {
      case Compression.None: return buf
      case Compression.Gzip: return zlib.gunzipSync(buf, { maxOutputLength: limit })
      case Compression.Snappy: {
        const parts = snappyBlocks(buf, limit).map((b) => asBuffer(snappy.uncompressSync(b, { asBuffer: true })))
        return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
      }
      case Compression.Lz4: return lz4Check(lz4.decompressFrameSync(lz4Precheck(buf, limit)), limit)
      case Compression.Zstd: return zstdDecompress(buf, limit)
      default: throw unknownCodec(codec)
    }
  } catch (err) {
    throw wrap(codec, err)
  }
}

export async function decompress (codec: Compression, buf: Buffer, options?: DecompressOptions): Promise<Buffer> {
  const limit = limitOf(options)
  try {
    switch (codec) {
      case Compression.None: return buf
      case Compression.Gzip: return await gunzipAsync(buf, { maxOutputLength: limit })
      case Compression.Snappy: {
        const blocks = snappyBlocks(buf, limit)
        const parts = await Promise.all(blocks.map(async (b) => asBuffer(await snappy.uncompress(b, { asBuffer: true }))))
        return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
      }
      case Compression.Lz4: return lz4Check(await lz4.decompressFrame(lz4Precheck(buf, limit)), limit)
      // zstd-napi has no asynchronous one-shot call; batches are small enough to decode inline.
      case Compression.Zstd: return zstdDecompress(buf, limit)
      default: throw unknownCodec(codec)
    }
  } catch (err) {
    throw wrap(codec, err)
  }
}

/** Every library failure surfaces as one error type, so callers map it to one Kafka error. */
function wrap (codec: Compression, err: unknown): CompressionError {
  if (err instanceof CompressionError) return err
  const message = err instanceof Error ? err.message : String(err)
  return new CompressionError(`${CODEC_NAMES[codec] ?? codec}: ${message}`, { cause: err })
}

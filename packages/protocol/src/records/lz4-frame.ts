// The most an LZ4 frame can decompress to, read from its headers alone (no decompression), so a
// small batch that would expand a thousandfold is refused before the decoder allocates its output
// (the LZ4 binding has no output limit of its own).
//
// LZ4 frame format: magic 04 22 4D 18 (0x184D2204 little-endian); FLG (bits 7-6 version 01,
// bit 4 block checksums, bit 3 content size, bit 2 content checksum, bit 0 dictionary id); BD
// (bits 6-4 block maximum size: 4 = 64 KiB, 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB); content size
// (uint64 LE, if flagged); dictionary id (uint32 LE, if flagged); header checksum (1 byte). Then
// blocks: uint32 LE size (high bit: stored uncompressed; 0: end mark), the bytes, a 4-byte
// checksum if flagged; after the end mark a 4-byte content checksum if flagged. Several frames may
// follow one another, and skippable frames (magic 0x184D2A50-5F, uint32 LE size, bytes) carry no
// data. A compressed block expands to at most the frame's block maximum size.
// Recovery: headers that cannot be walked throw an Error (the caller reports it as a
// CompressionError): a frame whose size cannot be bounded is not decoded.

const FRAME_MAGIC = 0x184d2204
const SKIPPABLE_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50
const BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20]

export interface Lz4Bound {
  /** Most bytes the input decompresses to. */
  bytes: number
  /** Largest block maximum size of its frames (the bound's rounding, at most one block per frame). */
  blockMax: number
  /** The largest content size a frame declares, if any does. */
  declared: number | null
}

function malformed (what: string): Error {
  return new Error(what)
}

export function lz4FrameBound (buf: Buffer): Lz4Bound {
  let pos = 0
  let bytes = 0
  let largest = 0
  let declaredMax: number | null = null
  const need = (n: number, what: string): void => {
    if (pos + n > buf.length) throw malformed(`truncated ${what}`)
  }
  while (pos < buf.length) {
    need(4, 'frame magic')
    const magic = buf.readUInt32LE(pos)
    pos += 4
    if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      need(4, 'skippable frame size')
      pos += 4 + buf.readUInt32LE(pos)
      continue
    }
    if (magic !== FRAME_MAGIC) throw malformed(`bad frame magic 0x${magic.toString(16)}`)
    need(2, 'frame descriptor')
    const flg = buf[pos] as number
    const blockMax = BLOCK_MAX[((buf[pos + 1] as number) >> 4) & 7] as number
    pos += 2
    if (flg >> 6 !== 1) throw malformed(`unsupported frame version ${flg >> 6}`)
    if (blockMax === 0) throw malformed('bad block maximum size')
    if (blockMax > largest) largest = blockMax
    const blockChecksum = (flg & 0x10) !== 0
    if ((flg & 0x08) !== 0) {
      need(8, 'content size')
      const declared = Number(buf.readBigUInt64LE(pos))
      pos += 8
      if (declaredMax === null || declared > declaredMax) declaredMax = declared
    }
    if ((flg & 0x01) !== 0) pos += 4
    pos += 1 // header checksum
    for (;;) {
      need(4, 'block size')
      const word = buf.readUInt32LE(pos)
      pos += 4
      if (word === 0) break
      const stored = (word & 0x80000000) !== 0
      const size = word & 0x7fffffff
      if (size > blockMax) throw malformed(`block of ${size} bytes above the frame's ${blockMax}`)
      bytes += stored ? size : blockMax
      pos += size + (blockChecksum ? 4 : 0)
    }
    if ((flg & 0x04) !== 0) pos += 4
  }
  return { bytes, blockMax: largest, declared: declaredMax }
}

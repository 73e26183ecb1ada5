// UUIDs travel as 16 raw bytes (big-endian, most significant half first) and live in JS as the
// canonical lowercase 8-4-4-4-12 hex string, so they compare with === and print as Kafka prints them.
import { ProtocolError } from '../protocol-error.js'

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

const HEX: string[] = []
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'))

/** Reads 16 bytes at `pos` (the caller has checked bounds). */
export function uuidFromBytes (buf: Buffer, pos: number): string {
  let zero = true
  for (let i = 0; i < 16; i++) {
    if (buf[pos + i] !== 0) { zero = false; break }
  }
  if (zero) return ZERO_UUID
  let s = ''
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-'
    s += HEX[buf[pos + i] as number]
  }
  return s
}

function hexDigit (c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}

/** Writes the 16 bytes of a canonical UUID string at `pos` (the caller has made room). */
export function uuidToBytes (uuid: string, buf: Buffer, pos: number): void {
  if (uuid.length !== 36 || uuid.charCodeAt(8) !== 45 || uuid.charCodeAt(13) !== 45 ||
      uuid.charCodeAt(18) !== 45 || uuid.charCodeAt(23) !== 45) {
    throw new ProtocolError('BROOK_ERR_INVALID_UUID', `not a canonical UUID: ${JSON.stringify(uuid)}`)
  }
  let out = pos
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i++
    const hi = hexDigit(uuid.charCodeAt(i))
    const lo = hexDigit(uuid.charCodeAt(i + 1))
    if (hi < 0 || lo < 0) throw new ProtocolError('BROOK_ERR_INVALID_UUID', `not a canonical UUID: ${JSON.stringify(uuid)}`)
    buf[out++] = (hi << 4) | lo
  }
}

// Producer state snapshot: Kafka's `<20-digit offset>.snapshot` file (ProducerStateManager's
// PID_SNAPSHOT_MAP_SCHEMA, version 1), so a Brook partition directory reads like Kafka's.
//
// Layout (big-endian):
//    0 version                int16   = 1
//    2 crc                    uint32  CRC-32C of every byte from offset 6 to the end
//    6 entries                int32   count, then count x 46 bytes:
//        producerId           int64
//        epoch                int16
//        lastSequence         int32   -1 when no batch is retained
//        lastOffset           int64   last offset of the last batch, -1 when none
//        offsetDelta          int32   lastOffset - firstOffset of that batch
//        timestamp            int64   the entry's last timestamp
//        coordinatorEpoch     int32
//        currentTxnFirstOffset int64  -1 when no transaction is open
// Only the last batch of each producer is kept (as Kafka): after a restart, duplicates of the four
// before it are caught only if the log tail replayed after the snapshot holds them.
// The file's name is the offset it covers up to (exclusive): replay the log from there.
// Recovery rule: a snapshot with another version, a bad CRC or a length that does not match its
// count is corrupt: the loader deletes it and falls back to the previous one, or to a full replay.
import { crc32c } from '@node-rs/crc32'
import { ProducerStateEntry } from './producer-entry.js'
import { decrementSequence } from './sequence.js'

const SNAPSHOT_VERSION = 1
const CRC_OFFSET = 2
const ENTRIES_OFFSET = 6
const HEADER_SIZE = 10
export const SNAPSHOT_ENTRY_SIZE = 46

export class CorruptSnapshotError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'CorruptSnapshotError'
  }
}

export function encodeSnapshot (entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries]
  const buf = Buffer.alloc(HEADER_SIZE + list.length * SNAPSHOT_ENTRY_SIZE)
  buf.writeInt16BE(SNAPSHOT_VERSION, 0)
  buf.writeInt32BE(list.length, ENTRIES_OFFSET)
  let pos = HEADER_SIZE
  for (const e of list) {
    const last = e.batches.at(-1)
    buf.writeBigInt64BE(e.producerId, pos)
    buf.writeInt16BE(e.epoch, pos + 8)
    buf.writeInt32BE(e.lastSeq, pos + 10)
    buf.writeBigInt64BE(BigInt(last?.lastOffset ?? -1), pos + 14)
    buf.writeInt32BE(last === undefined ? 0 : last.lastOffset - last.firstOffset, pos + 22)
    buf.writeBigInt64BE(BigInt(e.lastTimestamp), pos + 26)
    buf.writeInt32BE(e.coordinatorEpoch, pos + 34)
    buf.writeBigInt64BE(BigInt(e.currentTxnFirstOffset), pos + 38)
    pos += SNAPSHOT_ENTRY_SIZE
  }
  buf.writeUInt32BE(crc32c(buf.subarray(ENTRIES_OFFSET)) >>> 0, CRC_OFFSET)
  return buf
}

export function decodeSnapshot (buf: Buffer): ProducerStateEntry[] {
  if (buf.length < HEADER_SIZE) throw new CorruptSnapshotError(`snapshot of ${buf.length} bytes is shorter than its header`)
  const version = buf.readInt16BE(0)
  if (version !== SNAPSHOT_VERSION) throw new CorruptSnapshotError(`unknown snapshot version ${version}`)
  const stored = buf.readUInt32BE(CRC_OFFSET)
  const computed = crc32c(buf.subarray(ENTRIES_OFFSET)) >>> 0
  if (stored !== computed) throw new CorruptSnapshotError(`snapshot CRC ${stored} does not match computed ${computed}`)
  const count = buf.readInt32BE(ENTRIES_OFFSET)
  if (count < 0 || buf.length !== HEADER_SIZE + count * SNAPSHOT_ENTRY_SIZE) {
    throw new CorruptSnapshotError(`snapshot of ${buf.length} bytes cannot hold ${count} entries`)
  }
  const entries: ProducerStateEntry[] = []
  for (let i = 0, pos = HEADER_SIZE; i < count; i++, pos += SNAPSHOT_ENTRY_SIZE) {
    const producerId = buf.readBigInt64BE(pos)
    const lastSeq = buf.readInt32BE(pos + 10)
    const lastOffset = Number(buf.readBigInt64BE(pos + 14))
    const offsetDelta = buf.readInt32BE(pos + 22)
    const timestamp = Number(buf.readBigInt64BE(pos + 26))
    const batches = lastOffset >= 0
      ? [{ firstSeq: decrementSequence(lastSeq, offsetDelta), lastSeq, firstOffset: lastOffset - offsetDelta, lastOffset, timestamp }]
      : []
    entries.push(new ProducerStateEntry(producerId, buf.readInt16BE(pos + 8), buf.readInt32BE(pos + 34), timestamp,
      Number(buf.readBigInt64BE(pos + 38)), batches))
  }
  return entries
}

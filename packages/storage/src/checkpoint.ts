// Small per-log-dir state files, each replaced atomically (temp file, fsync, rename, fsync dir).
//
// Layout (big-endian):
//   length   int32    bytes after this field
//   crc      uint32   CRC-32C of the bytes after this field
//   version  int16    = 1
//   count    int32
//   count x { topicLength int16, topic UTF-8, partition int32, offset int64 }
// Files: recovery-point-offset-checkpoint, log-start-offset-checkpoint,
// replication-offset-checkpoint (high watermarks), cleaner-offset-checkpoint; the clean-shutdown
// marker `.brook_cleanshutdown` is the same frame with no entries.
// Recovery rule: a file that is missing, short, or fails its CRC or version check is ignored
// (logged): every offset it held falls back to the safe default (recovery point 0: re-read
// everything; log start: the first segment; high watermark: the log start).
import { crc32c } from '@node-rs/crc32'
import type { FileSystem } from './fs/file-system.js'
import { errorCode, writeFileAtomic } from './fs/file-system.js'

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint'
export const LOG_START_CHECKPOINT = 'log-start-offset-checkpoint'
export const HIGH_WATERMARK_CHECKPOINT = 'replication-offset-checkpoint'
export const CLEANER_CHECKPOINT = 'cleaner-offset-checkpoint'
export const CLEAN_SHUTDOWN_MARKER = '.brook_cleanshutdown'

const VERSION = 1

export interface CheckpointEntry {
  topic: string
  partition: number
  offset: number
}

export function encodeCheckpoint (entries: readonly CheckpointEntry[]): Buffer {
  const topics = entries.map((e) => Buffer.from(e.topic, 'utf8'))
  const body = Buffer.alloc(2 + 4 + entries.reduce((n, _e, i) => n + 2 + topics[i]!.length + 4 + 8, 0))
  let pos = body.writeInt16BE(VERSION, 0)
  pos = body.writeInt32BE(entries.length, pos)
  entries.forEach((e, i) => {
    pos = body.writeInt16BE(topics[i]!.length, pos)
    pos += topics[i]!.copy(body, pos)
    pos = body.writeInt32BE(e.partition, pos)
    pos = body.writeBigInt64BE(BigInt(e.offset), pos)
  })
  const head = Buffer.alloc(8)
  head.writeInt32BE(body.length + 4, 0)
  head.writeUInt32BE(crc32c(body) >>> 0, 4)
  return Buffer.concat([head, body])
}

/** The entries, or a reason string when the bytes are not a valid checkpoint. */
export function decodeCheckpoint (buf: Buffer): CheckpointEntry[] | string {
  if (buf.length < 8 + 6) return 'too short'
  const length = buf.readInt32BE(0)
  if (length !== buf.length - 4) return `length ${length} does not match ${buf.length - 4} bytes`
  const body = buf.subarray(8)
  if ((crc32c(body) >>> 0) !== buf.readUInt32BE(4)) return 'CRC mismatch'
  if (body.readInt16BE(0) !== VERSION) return `unknown version ${body.readInt16BE(0)}`
  const count = body.readInt32BE(2)
  const entries: CheckpointEntry[] = []
  let pos = 6
  for (let i = 0; i < count; i++) {
    if (pos + 2 > body.length) return 'truncated entry'
    const topicLength = body.readInt16BE(pos)
    pos += 2
    if (topicLength < 0 || pos + topicLength + 12 > body.length) return 'truncated entry'
    const topic = body.toString('utf8', pos, pos + topicLength)
    pos += topicLength
    const partition = body.readInt32BE(pos)
    const offset = Number(body.readBigInt64BE(pos + 4))
    pos += 12
    entries.push({ topic, partition, offset })
  }
  if (pos !== body.length) return 'trailing bytes'
  return entries
}

export async function writeCheckpoint (fs: FileSystem, dir: string, name: string, entries: readonly CheckpointEntry[]): Promise<void> {
  await writeFileAtomic(fs, dir, name, encodeCheckpoint(entries))
}

/** null when the file does not exist; a reason string when it is unusable. */
export async function readCheckpoint (fs: FileSystem, dir: string, name: string): Promise<CheckpointEntry[] | string | null> {
  let buf: Buffer
  try {
    buf = await fs.readFile(`${dir}/${name}`)
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null
    throw err
  }
  return decodeCheckpoint(buf)
}

export function checkpointKey (topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

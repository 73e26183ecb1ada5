// The clean-shutdown summary of a log dir (`log-dir-summary`): for each partition, what a load
// would otherwise learn by listing its directory and reading its files (segments, sizes, next
// offsets, largest timestamps, leader epochs). A clean close() writes it just before the
// clean-shutdown marker; open() trusts it only when that marker is there, and removes both
// before any write, so it always describes the files exactly. A partition it covers is opened
// without a single system call; its index files are read on first use.
// Partitions holding producer state are left out: they load from their directory as before.
//
// Layout: length int32 (bytes after it), CRC-32C uint32 of the JSON after it, then UTF-8 JSON
// { "version": 1, "logs": [[topic, partition, [[base, size, next, maxTs, offsetOfMaxTs,
// rollingTs | null, bytesSinceIndexEntry], ...], [[epoch, startOffset], ...]], ...] }.
// Recovery rule: a summary that is missing, torn, fails its CRC or any shape check is ignored
// (logged) and every partition loads from its directory.
import { crc32c } from '@node-rs/crc32'
import type { EpochEntry } from './epoch/leader-epoch-cache.js'
import { errorCode, type FileSystem, writeFileAtomic } from './fs/file-system.js'

export const LOG_DIR_SUMMARY = 'log-dir-summary'
const VERSION = 1

export interface SegmentSummary {
  baseOffset: number
  size: number
  nextOffset: number
  maxTimestamp: number
  offsetOfMaxTimestamp: number
  rollingBasedTimestamp: number | null
  bytesSinceLastIndexEntry: number
}

export interface LogSummary {
  topic: string
  partition: number
  /** Ascending base offsets, at least one; the last is the active segment. */
  segments: SegmentSummary[]
  epochs: EpochEntry[]
}

type SegmentTuple = [number, number, number, number, number, number | null, number]
type LogTuple = [string, number, SegmentTuple[], Array<[number, number]>]

export function encodeLogDirSummary (logs: readonly LogSummary[]): Buffer {
  const tuples: LogTuple[] = logs.map((l) => [l.topic, l.partition,
    l.segments.map((s): SegmentTuple => [s.baseOffset, s.size, s.nextOffset, s.maxTimestamp, s.offsetOfMaxTimestamp, s.rollingBasedTimestamp, s.bytesSinceLastIndexEntry]),
    l.epochs.map((e): [number, number] => [e.epoch, e.startOffset])])
  const body = Buffer.from(JSON.stringify({ version: VERSION, logs: tuples }), 'utf8')
  const head = Buffer.alloc(8)
  head.writeInt32BE(body.length + 4, 0)
  head.writeUInt32BE(crc32c(body) >>> 0, 4)
  return Buffer.concat([head, body])
}

const isOffset = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0
const isTimestamp = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= -1

function decodeSegment (v: unknown): SegmentSummary | null {
  if (!Array.isArray(v) || v.length !== 7) return null
  const [baseOffset, size, nextOffset, maxTimestamp, offsetOfMaxTimestamp, rolling, sinceIndex] = v as unknown[]
  if (!isOffset(baseOffset) || !isOffset(size) || !isOffset(nextOffset) || nextOffset < baseOffset || !isTimestamp(maxTimestamp) ||
    !isOffset(offsetOfMaxTimestamp) || (rolling !== null && !isTimestamp(rolling)) || !isOffset(sinceIndex)) return null
  return { baseOffset, size, nextOffset, maxTimestamp, offsetOfMaxTimestamp, rollingBasedTimestamp: rolling, bytesSinceLastIndexEntry: sinceIndex }
}

function decodeLog (v: unknown): LogSummary | null {
  if (!Array.isArray(v) || v.length !== 4) return null
  const [topic, partition, segs, epochs] = v as unknown[]
  if (typeof topic !== 'string' || !isOffset(partition) || !Array.isArray(segs) || segs.length === 0 || !Array.isArray(epochs)) return null
  const segments: SegmentSummary[] = []
  for (const s of segs) {
    const seg = decodeSegment(s)
    const prev = segments[segments.length - 1]
    if (seg === null || (prev !== undefined && seg.baseOffset < prev.nextOffset)) return null
    segments.push(seg)
  }
  const entries: EpochEntry[] = []
  for (const e of epochs) {
    if (!Array.isArray(e) || e.length !== 2 || !isOffset(e[0]) || !isOffset(e[1])) return null
    entries.push({ epoch: e[0], startOffset: e[1] })
  }
  return { topic, partition, segments, epochs: entries }
}

/** The summaries, or a reason string when the bytes are not a valid summary. */
export function decodeLogDirSummary (buf: Buffer): LogSummary[] | string {
  if (buf.length < 8) return 'too short'
  if (buf.readInt32BE(0) !== buf.length - 4) return 'length does not match'
  const body = buf.subarray(8)
  if ((crc32c(body) >>> 0) !== buf.readUInt32BE(4)) return 'CRC mismatch'
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch (err) {
    return `not JSON: ${(err as Error).message}`
  }
  const { version, logs } = (parsed ?? {}) as { version?: unknown, logs?: unknown }
  if (version !== VERSION) return `unknown version ${String(version)}`
  if (!Array.isArray(logs)) return 'no logs'
  const out: LogSummary[] = []
  for (const l of logs) {
    const log = decodeLog(l)
    if (log === null) return 'malformed entry'
    out.push(log)
  }
  return out
}

export async function writeLogDirSummary (fs: FileSystem, dir: string, logs: readonly LogSummary[]): Promise<void> {
  await writeFileAtomic(fs, dir, LOG_DIR_SUMMARY, encodeLogDirSummary(logs))
}

/** null when there is none; a reason string when it is unusable. */
export async function readLogDirSummary (fs: FileSystem, dir: string): Promise<LogSummary[] | string | null> {
  let buf: Buffer
  try {
    buf = await fs.readFile(`${dir}/${LOG_DIR_SUMMARY}`)
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null
    throw err
  }
  return decodeLogDirSummary(buf)
}

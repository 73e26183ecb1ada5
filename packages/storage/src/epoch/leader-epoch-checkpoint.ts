// The `leader-epoch-checkpoint` file of a partition directory, in Kafka's text format:
//   0                  version
//   2                  entry count
//   0 0                epoch startOffset, one line per entry, oldest first
//   3 1204
// Replaced atomically (temp file, fsync, rename, fsync of the directory) on every change.
// Recovery rule: a missing file, or one that does not parse (bad version, count, numbers or
// order), is rebuilt from the partitionLeaderEpoch of the log's batches (the log loader does it);
// a parsed file is cut to the log's [log start, log end).
import { errorCode, type FileSystem, writeFileAtomic } from '../fs/file-system.js'
import type { EpochEntry } from './leader-epoch-cache.js'

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint'
const VERSION = 0
const MAX_INT32 = 2 ** 31 - 1

export function encodeLeaderEpochCheckpoint (entries: readonly EpochEntry[]): Buffer {
  const lines = [String(VERSION), String(entries.length), ...entries.map((e) => `${e.epoch} ${e.startOffset}`)]
  return Buffer.from(lines.join('\n') + '\n', 'utf8')
}

const NUMBER = /^(0|[1-9][0-9]*)$/

/** The entries, or a reason string when the bytes are not a valid checkpoint. */
export function decodeLeaderEpochCheckpoint (buf: Buffer): EpochEntry[] | string {
  const text = buf.toString('utf8')
  if (!text.endsWith('\n')) return 'no final newline (torn write?)'
  const lines = text.slice(0, -1).split('\n')
  if (lines[0] !== String(VERSION)) return `unknown version ${JSON.stringify(lines[0])}`
  if (lines.length < 2 || !NUMBER.test(lines[1]!)) return 'bad entry count'
  const count = Number(lines[1])
  if (lines.length - 2 !== count) return `${lines.length - 2} entries where the header says ${count}`
  const entries: EpochEntry[] = []
  for (const line of lines.slice(2)) {
    const parts = line.split(' ')
    if (parts.length !== 2 || !NUMBER.test(parts[0]!) || !NUMBER.test(parts[1]!)) return `malformed line ${JSON.stringify(line)}`
    const epoch = Number(parts[0])
    const startOffset = Number(parts[1])
    if (epoch > MAX_INT32 || !Number.isSafeInteger(startOffset)) return `out of range: ${JSON.stringify(line)}`
    const prev = entries[entries.length - 1]
    if (prev !== undefined && (epoch <= prev.epoch || startOffset <= prev.startOffset)) return `entries out of order at ${JSON.stringify(line)}`
    entries.push({ epoch, startOffset })
  }
  return entries
}

/** null when the file does not exist; a reason string when it is unusable. */
export async function readLeaderEpochCheckpoint (fs: FileSystem, dir: string): Promise<EpochEntry[] | string | null> {
  let buf: Buffer
  try {
    buf = await fs.readFile(`${dir}/${LEADER_EPOCH_CHECKPOINT}`)
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null
    throw err
  }
  return decodeLeaderEpochCheckpoint(buf)
}

export async function writeLeaderEpochCheckpoint (fs: FileSystem, dir: string, entries: readonly EpochEntry[]): Promise<void> {
  await writeFileAtomic(fs, dir, LEADER_EPOCH_CHECKPOINT, encodeLeaderEpochCheckpoint(entries))
}

// Shared by offset-index.ts and time-index.ts: binary search over sorted entries, and persisting
// an index file incrementally (only the entries past the unchanged prefix are written).
import type { FileSystem } from '../fs/file-system.js'
import { errorCode } from '../fs/file-system.js'

/** The largest i in [0, count) with keyAt(i) <= target, or -1 when keyAt(0) > target (or count is 0). */
export function largestLowerBound (count: number, keyAt: (i: number) => number, target: number): number {
  let lo = 0
  let hi = count - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    if (keyAt(mid) <= target) {
      found = mid
      lo = mid + 1
    } else {
      hi = mid - 1
    }
  }
  return found
}

/** Doubles a typed array's capacity up to `max` entries. */
export function growCapacity (current: number, needed: number, max: number): number {
  let cap = Math.max(current, 8)
  while (cap < needed) cap *= 2
  return Math.max(needed, Math.min(cap, max))
}

/** Reads a whole index file; null when it does not exist. */
export async function readIndexFile (fs: FileSystem, path: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(path)
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null
    throw err
  }
}

export interface PersistableIndex {
  readonly entrySize: number
  readonly entries: number
  /** Leading entries known to be in the file unchanged. */
  persistedEntries: number
  /** Entries the file holds (it may hold more than `entries` after a truncation). */
  fileEntries: number
  /** Entries when the file was last fsynced matching memory (-1: not known to be). */
  syncedEntries: number
  encode: (from: number, to: number) => Buffer
}

/** Brings the file in line with the in-memory index; fsyncs when `sync`. */
export async function persistIndex (fs: FileSystem, path: string, index: PersistableIndex, sync: boolean): Promise<void> {
  const from = Math.min(index.persistedEntries, index.entries)
  const to = index.entries
  const unchanged = from === to && index.fileEntries === to
  if (unchanged && (!sync || index.syncedEntries === to)) return
  const fh = await fs.open(path, index.fileEntries < 0 ? 'w+' : 'r+').catch(async (err: unknown) => {
    if (errorCode(err) === 'ENOENT') return await fs.open(path, 'w+')
    throw err
  })
  try {
    if (to > from) await fh.write(index.encode(from, to), from * index.entrySize)
    if (index.fileEntries > to) await fh.truncate(to * index.entrySize)
    if (sync) await fh.sync()
  } finally {
    await fh.close()
  }
  index.persistedEntries = to
  index.fileEntries = to
  index.syncedEntries = sync ? to : -1
}

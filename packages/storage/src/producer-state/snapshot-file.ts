// Snapshot files in a partition directory: `<20-digit offset>.snapshot` (format: ./snapshot.ts).
// Written whole through a temporary file, fsync and rename (writeFileAtomic), so a crash leaves
// either no file or a complete one; a torn or corrupt file is still caught by the CRC on load.
import { type FileSystem, errorCode, writeFileAtomic } from '../fs/file-system.js'

const SNAPSHOT_EXT = '.snapshot'
const NAME = /^(\d{20})\.snapshot$/

export function snapshotFileName (offset: number): string {
  return String(offset).padStart(20, '0') + SNAPSHOT_EXT
}

/** The offset in a snapshot file's name, or null for any other file. */
export function parseSnapshotFileName (name: string): number | null {
  const m = NAME.exec(name)
  if (m === null) return null
  const offset = Number(m[1])
  return Number.isSafeInteger(offset) ? offset : null
}

/** Offsets of the snapshots in `dir`, ascending. */
export async function listSnapshots (fs: FileSystem, dir: string): Promise<number[]> {
  const offsets: number[] = []
  for (const name of await fs.readdir(dir)) {
    const offset = parseSnapshotFileName(name)
    if (offset !== null) offsets.push(offset)
  }
  return offsets.sort((a, b) => a - b)
}

export async function writeSnapshotFile (fs: FileSystem, dir: string, offset: number, data: Buffer): Promise<void> {
  await writeFileAtomic(fs, dir, snapshotFileName(offset), data)
}

export async function readSnapshotFile (fs: FileSystem, dir: string, offset: number): Promise<Buffer> {
  return await fs.readFile(`${dir}/${snapshotFileName(offset)}`)
}

export async function deleteSnapshotFile (fs: FileSystem, dir: string, offset: number): Promise<void> {
  try {
    await fs.unlink(`${dir}/${snapshotFileName(offset)}`)
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err
  }
}

// The storage engine's only door to the disk. Two implementations: node-fs.ts (the real one) and
// memory-fs.ts (tests: fault injection and power cuts). Both pass test/fs/conformance.ts.
//
// Errors are Node-style: an Error with a string `code` ('ENOENT', 'EEXIST', 'EIO', 'ENOSPC', ...).
// Durability contract, which the engine relies on and memory-fs models exactly:
//   - data written through a handle survives a power cut only after sync()/datasync() on it;
//   - a created, renamed or removed directory entry survives a power cut only after syncDir()
//     of the directory that holds it.

/** How to open a file: 'r' read only, 'r+' read/write existing, 'w+' create or truncate, 'wx+' create, fail if it exists. */
export type OpenMode = 'r' | 'r+' | 'w+' | 'wx+'

export interface FileHandle {
  /** Reads up to `length` bytes at `position` into buffer[offset..]; returns the count (0 at end of file). */
  read: (buffer: Buffer, offset: number, length: number, position: number) => Promise<number>
  /** Writes the whole buffer at `position` (a short write is retried until complete or failed). */
  write: (buffer: Buffer, position: number) => Promise<void>
  /** Writes the buffers back to back from `position`, as one gathered write where the OS allows. */
  writev: (buffers: readonly Buffer[], position: number) => Promise<void>
  /**
   * writev on the calling thread: for small appends a direct syscall costs less than a hand-off
   * to the thread pool and back. The event loop waits for it, so callers keep it small.
   */
  writevSync: (buffers: readonly Buffer[], position: number) => void
  truncate: (length: number) => Promise<void>
  /** fsync: data and metadata. */
  sync: () => Promise<void>
  /** fdatasync: data, and the metadata needed to read it back (size). */
  datasync: () => Promise<void>
  size: () => Promise<number>
  close: () => Promise<void>
}

export interface FileStat {
  size: number
  isDirectory: boolean
  /** Modification time, ms since the epoch. */
  mtimeMs: number
}

export interface FileSystem {
  open: (path: string, mode: OpenMode) => Promise<FileHandle>
  readFile: (path: string) => Promise<Buffer>
  /** Creates parents as needed; no error if it exists. */
  mkdir: (path: string) => Promise<void>
  /** Entry names, sorted. */
  readdir: (path: string) => Promise<string[]>
  stat: (path: string) => Promise<FileStat>
  exists: (path: string) => Promise<boolean>
  /** Atomic; replaces an existing file at `to`. */
  rename: (from: string, to: string) => Promise<void>
  unlink: (path: string) => Promise<void>
  /** Removes a file or a directory tree; no error if it does not exist. */
  rm: (path: string) => Promise<void>
  /** fsync of a directory: makes its entries (creates, renames, unlinks) durable. */
  syncDir: (path: string) => Promise<void>
}

/** The `code` of a Node-style error, or undefined. */
export function errorCode (err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code
    return typeof code === 'string' ? code : undefined
  }
  return undefined
}

export function fsError (code: string, message: string): Error & { code: string } {
  const err = new Error(`${code}: ${message}`) as Error & { code: string }
  err.code = code
  return err
}

/** Writes `data` to `path` so that after return either the old or the new content survives any crash. */
export async function writeFileAtomic (fs: FileSystem, dir: string, name: string, data: Buffer): Promise<void> {
  const tmp = `${dir}/${name}.tmp`
  const fh = await fs.open(tmp, 'w+')
  try {
    await fh.write(data, 0)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await fs.rename(tmp, `${dir}/${name}`)
  await fs.syncDir(dir)
}

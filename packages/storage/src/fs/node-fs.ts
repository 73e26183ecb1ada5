// FileSystem on node:fs/promises. Positional reads and writes on FileHandle; writev gathers the
// buffers of one group commit into a single syscall where the OS allows.
import { constants, writevSync } from 'node:fs'
import * as fsp from 'node:fs/promises'
import type { FileHandle, FileStat, FileSystem, OpenMode } from './file-system.js'
import { errorCode } from './file-system.js'

const FLAGS: Record<OpenMode, number> = {
  r: constants.O_RDONLY,
  'r+': constants.O_RDWR,
  'w+': constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC,
  'wx+': constants.O_RDWR | constants.O_CREAT | constants.O_EXCL
}

class NodeFileHandle implements FileHandle {
  readonly #fh: fsp.FileHandle
  constructor (fh: fsp.FileHandle) { this.#fh = fh }

  async read (buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    let total = 0
    // A regular file returns short reads only at its end; loop anyway so callers never see one mid-file.
    while (total < length) {
      const { bytesRead } = await this.#fh.read(buffer, offset + total, length - total, position + total)
      if (bytesRead === 0) break
      total += bytesRead
    }
    return total
  }

  async write (buffer: Buffer, position: number): Promise<void> {
    let done = 0
    while (done < buffer.length) {
      const { bytesWritten } = await this.#fh.write(buffer, done, buffer.length - done, position + done)
      done += bytesWritten
    }
  }

  async writev (buffers: readonly Buffer[], position: number): Promise<void> {
    let list = buffers.filter((b) => b.length > 0)
    let pos = position
    while (list.length > 0) {
      const { bytesWritten } = await this.#fh.writev(list, pos)
      pos += bytesWritten
      list = unwritten(list, bytesWritten)
    }
  }

  writevSync (buffers: readonly Buffer[], position: number): void {
    let list = buffers.filter((b) => b.length > 0)
    let pos = position
    while (list.length > 0) {
      const written = writevSync(this.#fh.fd, list, pos)
      pos += written
      list = unwritten(list, written)
    }
  }

  async truncate (length: number): Promise<void> { await this.#fh.truncate(length) }
  async sync (): Promise<void> { await this.#fh.sync() }
  async datasync (): Promise<void> { await this.#fh.datasync() }
  async size (): Promise<number> { return (await this.#fh.stat()).size }
  async close (): Promise<void> { await this.#fh.close() }
}

/** Short gathered write: what is left once `written` bytes of `list` went out. */
function unwritten (list: Buffer[], written: number): Buffer[] {
  let skip = written
  let rest = list
  while (rest.length > 0 && skip >= rest[0]!.length) {
    skip -= rest[0]!.length
    rest = rest.slice(1)
  }
  if (skip > 0) rest = [rest[0]!.subarray(skip), ...rest.slice(1)]
  return rest
}

export class NodeFileSystem implements FileSystem {
  async open (path: string, mode: OpenMode): Promise<FileHandle> {
    return new NodeFileHandle(await fsp.open(path, FLAGS[mode], 0o644))
  }

  async readFile (path: string): Promise<Buffer> { return await fsp.readFile(path) }

  async mkdir (path: string): Promise<void> { await fsp.mkdir(path, { recursive: true }) }

  async readdir (path: string): Promise<string[]> { return (await fsp.readdir(path)).sort() }

  async stat (path: string): Promise<FileStat> {
    const s = await fsp.stat(path)
    return { size: s.size, isDirectory: s.isDirectory(), mtimeMs: s.mtimeMs }
  }

  async exists (path: string): Promise<boolean> {
    try {
      await fsp.stat(path)
      return true
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return false
      throw err
    }
  }

  async rename (from: string, to: string): Promise<void> { await fsp.rename(from, to) }
  async unlink (path: string): Promise<void> { await fsp.unlink(path) }
  async rm (path: string): Promise<void> { await fsp.rm(path, { recursive: true, force: true }) }

  async syncDir (path: string): Promise<void> {
    const fh = await fsp.open(path, constants.O_RDONLY | constants.O_DIRECTORY)
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
  }
}

// An in-memory FileSystem for tests, modelling what survives a power cut, with fault injection.
//
// Model: every file (inode) has live content and durable content. Writes and truncates change the
// live content and queue as pending operations; sync()/datasync() applies the pending operations
// to the durable content. The directory tree likewise has a live and a durable form: syncDir(d)
// copies d's live entries into its durable form. powerCut() replaces everything by its durable
// form ('drop', the default), or applies a random prefix of each file's pending operations with the
// last one possibly cut short ('torn'), and invalidates every open handle (the process died).
//
// Faults: failNextWrite / failNextSync make the next matching write or sync reject with EIO or
// ENOSPC; a failing write may first put part of its bytes in place (a short write then an error),
// as a full disk does.
import type { FileHandle, FileStat, FileSystem, OpenMode } from './file-system.js'
import { fsError } from './file-system.js'

type Op = { kind: 'write', pos: number, bytes: Buffer } | { kind: 'truncate', length: number }

class Content {
  buf: Buffer
  size: number
  constructor (buf = Buffer.alloc(0), size = 0) { this.buf = buf; this.size = size }

  writeAt (pos: number, bytes: Buffer): void {
    const end = pos + bytes.length
    if (end > this.buf.length) {
      const grown = Buffer.alloc(Math.max(end, this.buf.length * 2, 64))
      this.buf.copy(grown, 0, 0, this.size)
      this.buf = grown
    }
    if (pos > this.size) this.buf.fill(0, this.size, pos)
    bytes.copy(this.buf, pos)
    if (end > this.size) this.size = end
  }

  truncate (length: number): void {
    if (length < this.size) {
      this.buf.fill(0, length, this.size)
      this.size = length
    } else if (length > this.size) {
      this.writeAt(length, Buffer.alloc(0))
    }
  }

  apply (op: Op): void {
    if (op.kind === 'write') this.writeAt(op.pos, op.bytes)
    else this.truncate(op.length)
  }

  clone (): Content { return new Content(Buffer.from(this.buf.subarray(0, this.size)), this.size) }
}

class Inode {
  live = new Content()
  durable = new Content()
  pending: Op[] = []
  mtimeMs = Date.now()

  record (op: Op): void {
    this.live.apply(op)
    this.pending.push(op)
    this.mtimeMs = Date.now()
  }

  sync (): void {
    for (const op of this.pending) this.durable.apply(op)
    this.pending = []
  }
}

class DirNode {
  live = new Map<string, Entry>()
  durable = new Map<string, Entry>()
}

type Entry = { kind: 'file', inode: Inode } | { kind: 'dir', node: DirNode }

type FaultCode = 'EIO' | 'ENOSPC'

export interface WriteFault {
  code?: FaultCode
  /** Only writes to a path containing this string, or matching this pattern. */
  path?: string | RegExp
  /** Bytes of the failing write that still reach the file before the error (default 0). */
  partialBytes?: number
  /** How many matching writes fail (default 1; Infinity until clearFaults()). */
  times?: number
}

export interface SyncFault {
  code?: FaultCode
  path?: string | RegExp
  times?: number
}

export interface PowerCutOptions {
  /** 'drop': lose every unsynced change; 'torn': keep a random prefix of each file's unsynced writes. */
  mode?: 'drop' | 'torn'
  /** Random source in [0, 1) for 'torn'. */
  random?: () => number
}

function normalize (path: string): string {
  const parts: string[] = []
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue
    if (p === '..') parts.pop()
    else parts.push(p)
  }
  return '/' + parts.join('/')
}

function split (path: string): [string, string] {
  const p = normalize(path)
  const i = p.lastIndexOf('/')
  return [i === 0 ? '/' : p.slice(0, i), p.slice(i + 1)]
}

function matches (filter: string | RegExp | undefined, path: string): boolean {
  if (filter === undefined) return true
  return typeof filter === 'string' ? path.includes(filter) : filter.test(path)
}

interface Armed<T> { fault: T, left: number }

export class MemoryFileSystem implements FileSystem {
  #root = new DirNode()
  #generation = 0
  #writeFaults: Array<Armed<WriteFault>> = []
  #syncFaults: Array<Armed<SyncFault>> = []
  /** Counters for tests (e.g. that one fsync served a whole group commit). */
  readonly stats = { writes: 0, syncs: 0, dirSyncs: 0, opens: 0, openHandles: 0 }

  failNextWrite (fault: WriteFault = {}): void {
    this.#writeFaults.push({ fault, left: fault.times ?? 1 })
  }

  failNextSync (fault: SyncFault = {}): void {
    this.#syncFaults.push({ fault, left: fault.times ?? 1 })
  }

  clearFaults (): void {
    this.#writeFaults = []
    this.#syncFaults = []
  }

  /** Simulates losing power: only durable state remains and every open handle becomes invalid. */
  powerCut (options: PowerCutOptions = {}): void {
    this.#generation++
    this.stats.openHandles = 0
    this.clearFaults()
    const random = options.random ?? Math.random
    const torn = options.mode === 'torn'
    const seen = new Set<Inode>()
    const visit = (dir: DirNode): void => {
      dir.live = new Map(dir.durable)
      for (const entry of dir.live.values()) {
        if (entry.kind === 'dir') {
          visit(entry.node)
          continue
        }
        const inode = entry.inode
        if (seen.has(inode)) continue
        seen.add(inode)
        if (torn && inode.pending.length > 0) {
          const keep = Math.floor(random() * (inode.pending.length + 1))
          for (let i = 0; i < keep; i++) inode.durable.apply(inode.pending[i]!)
          const cut = inode.pending[keep]
          if (cut !== undefined && cut.kind === 'write') {
            inode.durable.apply({ kind: 'write', pos: cut.pos, bytes: cut.bytes.subarray(0, Math.floor(random() * cut.bytes.length)) })
          }
        }
        inode.pending = []
        inode.live = inode.durable.clone()
      }
    }
    visit(this.#root)
  }

  #takeFault<T extends { path?: string | RegExp }> (list: Array<Armed<T>>, path: string): T | undefined {
    const i = list.findIndex((a) => matches(a.fault.path, path))
    if (i < 0) return undefined
    const armed = list[i]!
    if (--armed.left <= 0) list.splice(i, 1)
    return armed.fault
  }

  /** Called by handles: a pending write fault for `path`, consumed. */
  takeWriteFault (path: string): WriteFault | undefined { return this.#takeFault(this.#writeFaults, path) }
  takeSyncFault (path: string): SyncFault | undefined { return this.#takeFault(this.#syncFaults, path) }
  get generation (): number { return this.#generation }

  #findDir (path: string): DirNode | undefined {
    let node = this.#root
    for (const part of normalize(path).split('/')) {
      if (part === '') continue
      const e = node.live.get(part)
      if (e?.kind !== 'dir') return undefined
      node = e.node
    }
    return node
  }

  #dir (path: string): DirNode {
    const d = this.#findDir(path)
    if (d === undefined) throw fsError('ENOENT', `no such directory: ${path}`)
    return d
  }

  #lookup (path: string): Entry | undefined {
    const p = normalize(path)
    if (p === '/') return { kind: 'dir', node: this.#root }
    const [dir, name] = split(p)
    return this.#findDir(dir)?.live.get(name)
  }

  #file (path: string): Inode {
    const e = this.#lookup(path)
    if (e === undefined) throw fsError('ENOENT', `no such file: ${path}`)
    if (e.kind !== 'file') throw fsError('EISDIR', `is a directory: ${path}`)
    return e.inode
  }

  async open (path: string, mode: OpenMode): Promise<FileHandle> {
    const [dir, name] = split(path)
    const entries = this.#dir(dir).live
    let entry = entries.get(name)
    if (entry?.kind === 'dir') throw fsError('EISDIR', `is a directory: ${path}`)
    if (mode === 'wx+' && entry !== undefined) throw fsError('EEXIST', `file exists: ${path}`)
    if (entry === undefined) {
      if (mode === 'r' || mode === 'r+') throw fsError('ENOENT', `no such file: ${path}`)
      entry = { kind: 'file', inode: new Inode() }
      entries.set(name, entry)
    } else if (mode === 'w+') {
      entry.inode.record({ kind: 'truncate', length: 0 })
    }
    this.stats.opens++
    this.stats.openHandles++
    return new MemoryFileHandle(this, entry.inode, normalize(path), mode !== 'r')
  }

  async readFile (path: string): Promise<Buffer> {
    const inode = this.#file(path)
    return Buffer.from(inode.live.buf.subarray(0, inode.live.size))
  }

  async mkdir (path: string): Promise<void> {
    let node = this.#root
    for (const part of normalize(path).split('/')) {
      if (part === '') continue
      const e = node.live.get(part)
      if (e === undefined) {
        const child = new DirNode()
        node.live.set(part, { kind: 'dir', node: child })
        node = child
      } else if (e.kind === 'dir') {
        node = e.node
      } else {
        throw fsError('EEXIST', `file exists: ${path}`)
      }
    }
  }

  async readdir (path: string): Promise<string[]> {
    return [...this.#dir(path).live.keys()].sort()
  }

  async stat (path: string): Promise<FileStat> {
    const e = this.#lookup(path)
    if (e === undefined) throw fsError('ENOENT', `no such file or directory: ${path}`)
    if (e.kind === 'dir') return { size: 0, isDirectory: true, mtimeMs: 0 }
    return { size: e.inode.live.size, isDirectory: false, mtimeMs: e.inode.mtimeMs }
  }

  async exists (path: string): Promise<boolean> { return this.#lookup(path) !== undefined }

  async rename (from: string, to: string): Promise<void> {
    const [fromDir, fromName] = split(from)
    const [toDir, toName] = split(to)
    const source = this.#dir(fromDir).live
    const entry = source.get(fromName)
    if (entry === undefined) throw fsError('ENOENT', `no such file or directory: ${from}`)
    const target = this.#dir(toDir).live
    const existing = target.get(toName)
    if (existing?.kind === 'dir' && entry.kind === 'file') throw fsError('EISDIR', `is a directory: ${to}`)
    if (existing?.kind === 'dir' && existing.node.live.size > 0) throw fsError('ENOTEMPTY', `directory not empty: ${to}`)
    source.delete(fromName)
    target.set(toName, entry)
  }

  async unlink (path: string): Promise<void> {
    const [dir, name] = split(path)
    const entries = this.#dir(dir).live
    const e = entries.get(name)
    if (e === undefined) throw fsError('ENOENT', `no such file: ${path}`)
    if (e.kind === 'dir') throw fsError('EISDIR', `is a directory: ${path}`)
    entries.delete(name)
  }

  async rm (path: string): Promise<void> {
    const [dir, name] = split(path)
    this.#findDir(dir)?.live.delete(name)
  }

  async syncDir (path: string): Promise<void> {
    const node = this.#dir(path)
    this.stats.dirSyncs++
    const fault = this.takeSyncFault(normalize(path))
    if (fault !== undefined) throw fsError(fault.code ?? 'EIO', `injected sync failure: ${path}`)
    node.durable = new Map(node.live)
  }
}

class MemoryFileHandle implements FileHandle {
  readonly #fs: MemoryFileSystem
  readonly #inode: Inode
  readonly #path: string
  readonly #writable: boolean
  readonly #generation: number
  #closed = false

  constructor (fs: MemoryFileSystem, inode: Inode, path: string, writable: boolean) {
    this.#fs = fs
    this.#inode = inode
    this.#path = path
    this.#writable = writable
    this.#generation = fs.generation
  }

  #check (write: boolean): void {
    if (this.#closed) throw fsError('EBADF', `handle closed: ${this.#path}`)
    if (this.#generation !== this.#fs.generation) throw fsError('EBADF', `handle from before a power cut: ${this.#path}`)
    if (write && !this.#writable) throw fsError('EBADF', `handle is read-only: ${this.#path}`)
  }

  async read (buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    this.#check(false)
    const live = this.#inode.live
    const n = Math.max(0, Math.min(length, live.size - position))
    if (n > 0) live.buf.copy(buffer, offset, position, position + n)
    return n
  }

  async write (buffer: Buffer, position: number): Promise<void> {
    await this.writev([buffer], position)
  }

  async writev (buffers: readonly Buffer[], position: number): Promise<void> {
    this.writevSync(buffers, position)
  }

  writevSync (buffers: readonly Buffer[], position: number): void {
    this.#check(true)
    this.#fs.stats.writes++
    const bytes = Buffer.concat(buffers)
    const fault = this.#fs.takeWriteFault(this.#path)
    if (fault !== undefined) {
      const partial = Math.min(fault.partialBytes ?? 0, bytes.length)
      if (partial > 0) this.#inode.record({ kind: 'write', pos: position, bytes: bytes.subarray(0, partial) })
      throw fsError(fault.code ?? 'EIO', `injected write failure: ${this.#path}`)
    }
    this.#inode.record({ kind: 'write', pos: position, bytes })
  }

  async truncate (length: number): Promise<void> {
    this.#check(true)
    this.#inode.record({ kind: 'truncate', length })
  }

  async sync (): Promise<void> {
    this.#check(false)
    this.#fs.stats.syncs++
    const fault = this.#fs.takeSyncFault(this.#path)
    if (fault !== undefined) throw fsError(fault.code ?? 'EIO', `injected sync failure: ${this.#path}`)
    this.#inode.sync()
  }

  async datasync (): Promise<void> { await this.sync() }

  async size (): Promise<number> {
    this.#check(false)
    return this.#inode.live.size
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#generation === this.#fs.generation) this.#fs.stats.openHandles--
  }
}

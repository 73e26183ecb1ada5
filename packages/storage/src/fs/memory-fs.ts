// An in-memory FileSystem for tests, modelling what survives a power cut, with fault injection.
//
// Model: every file (inode) has live content and durable content. Writes and truncates change the
// live content and queue as pending operations; sync()/datasync() applies the pending operations
// to the durable content. The directory tree likewise has a live and a durable form: syncDir(d)
// copies d's live entries into its durable form; the directory changes not yet synced (creates,
// renames, unlinks, mkdir, rm) are also kept in the order they were made (the journal).
//
// powerCut() replaces everything by its durable form and invalidates every open handle (the
// process died). What else of the unsynced state survives depends on the options:
//   mode 'drop' (default): no unsynced data survives;
//   mode 'torn': a random prefix of each file's pending operations, the last one possibly cut at a
//     random byte (a writeback stopped midway);
//   mode 'reorder': each pending write is cut at random byte boundaries and each piece survives or
//     not on its own, truncates too (the page cache writes back in any order): holes of zeros or
//     old bytes anywhere in the unsynced range;
//   directories 'drop' (default): no unsynced directory change survives;
//   directories 'prefix': a random prefix of the journal survives, as a journaling file system
//     commits metadata in order at moments of its choosing (a rename may outlive a cut without a
//     syncDir, a created file may survive with none of its unsynced data).
// cutPowerAfter(n) cuts the power at the n-th mutating operation, in the middle of whatever the
// program is doing; until powerOn() every operation then fails with EIO (the process is dead).
// crashAfter(n) kills the process there instead: the same, except that nothing written is lost
// (the kernel's page cache outlives the process).
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

/** One change of one directory: `name` set to `entry`, or removed (undefined). */
interface DirChange { dir: DirNode, name: string, entry: Entry | undefined }

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
  /**
   * Unsynced file data: 'drop' loses all of it; 'torn' keeps a random prefix of each file's
   * pending operations, the last one possibly cut; 'reorder' keeps random pieces of them.
   */
  mode?: 'drop' | 'torn' | 'reorder'
  /** Unsynced directory changes: 'drop' loses all of them; 'prefix' keeps a random prefix, in order. */
  directories?: 'drop' | 'prefix'
  /** Random source in [0, 1). */
  random?: () => number
}

/** Applies the random pieces of `op` that survive a 'reorder' cut. */
function applyPieces (content: Content, op: Op, random: () => number): void {
  if (op.kind === 'truncate') {
    if (random() < 0.5) content.apply(op)
    return
  }
  let from = 0
  while (from < op.bytes.length) {
    const to = Math.min(op.bytes.length, from + 1 + Math.floor(random() * op.bytes.length))
    if (random() < 0.5) content.writeAt(op.pos + from, op.bytes.subarray(from, to))
    from = to
  }
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
  /** Unsynced directory changes in the order they were made; each inner list is one atomic operation. */
  #journal: DirChange[][] = []
  /** Mutating operations left before an armed power cut; undefined when none is armed. */
  #cutIn: number | undefined
  /** What the armed event does: cut the power with these options, or only kill the process (null). */
  #cutOptions: PowerCutOptions | null = {}
  #off = false
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
    const mode = options.mode ?? 'drop'
    if (options.directories === 'prefix') {
      const kept = Math.floor(random() * (this.#journal.length + 1))
      for (const op of this.#journal.slice(0, kept)) {
        for (const c of op) {
          if (c.entry === undefined) c.dir.durable.delete(c.name)
          else c.dir.durable.set(c.name, c.entry)
        }
      }
    }
    this.#journal = []
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
        if (mode === 'torn' && inode.pending.length > 0) {
          const keep = Math.floor(random() * (inode.pending.length + 1))
          for (let i = 0; i < keep; i++) inode.durable.apply(inode.pending[i]!)
          const cut = inode.pending[keep]
          if (cut !== undefined && cut.kind === 'write') {
            inode.durable.apply({ kind: 'write', pos: cut.pos, bytes: cut.bytes.subarray(0, Math.floor(random() * cut.bytes.length)) })
          }
        } else if (mode === 'reorder') {
          for (const op of inode.pending) applyPieces(inode.durable, op, random)
        }
        inode.pending = []
        inode.live = inode.durable.clone()
      }
    }
    visit(this.#root)
  }

  /**
   * Arms a power cut at the `operations`-th mutating operation from now (open for writing, write,
   * truncate, sync, mkdir, rename, unlink, rm, syncDir): that operation and every later one fail
   * with EIO until powerOn().
   */
  cutPowerAfter (operations: number, options: PowerCutOptions = {}): void {
    this.#cutIn = Math.max(1, Math.floor(operations))
    this.#cutOptions = options
  }

  /** Arms a process crash at the `operations`-th mutating operation: as cutPowerAfter, but nothing written is lost. */
  crashAfter (operations: number): void {
    this.#cutIn = Math.max(1, Math.floor(operations))
    this.#cutOptions = null
  }

  /** True once an armed cut or crash happened, until powerOn(). */
  get powerIsOff (): boolean { return this.#off }

  /** Power back after an armed cut: the file system serves again (the durable image). */
  powerOn (): void {
    this.#off = false
    this.#cutIn = undefined
  }

  /** Called before every operation; `mutating` ones count down an armed power cut. */
  step (mutating: boolean): void {
    if (!this.#off && mutating && this.#cutIn !== undefined && --this.#cutIn <= 0) {
      this.#cutIn = undefined
      if (this.#cutOptions === null) {
        // The process died: its handles are gone, the page cache stays.
        this.#generation++
        this.stats.openHandles = 0
        this.clearFaults()
      } else {
        this.powerCut(this.#cutOptions)
      }
      this.#off = true
    }
    if (this.#off) throw fsError('EIO', 'the power is off')
  }

  #record (changes: DirChange[]): void {
    for (const c of changes) {
      if (c.entry === undefined) c.dir.live.delete(c.name)
      else c.dir.live.set(c.name, c.entry)
    }
    this.#journal.push(changes)
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
    this.step(mode !== 'r')
    const [dir, name] = split(path)
    const entries = this.#dir(dir).live
    let entry = entries.get(name)
    if (entry?.kind === 'dir') throw fsError('EISDIR', `is a directory: ${path}`)
    if (mode === 'wx+' && entry !== undefined) throw fsError('EEXIST', `file exists: ${path}`)
    if (entry === undefined) {
      if (mode === 'r' || mode === 'r+') throw fsError('ENOENT', `no such file: ${path}`)
      entry = { kind: 'file', inode: new Inode() }
      this.#record([{ dir: this.#dir(dir), name, entry }])
    } else if (mode === 'w+') {
      entry.inode.record({ kind: 'truncate', length: 0 })
    }
    this.stats.opens++
    this.stats.openHandles++
    return new MemoryFileHandle(this, entry.inode, normalize(path), mode !== 'r')
  }

  async readFile (path: string): Promise<Buffer> {
    this.step(false)
    const inode = this.#file(path)
    return Buffer.from(inode.live.buf.subarray(0, inode.live.size))
  }

  async mkdir (path: string): Promise<void> {
    this.step(true)
    let node = this.#root
    for (const part of normalize(path).split('/')) {
      if (part === '') continue
      const e = node.live.get(part)
      if (e === undefined) {
        const child = new DirNode()
        this.#record([{ dir: node, name: part, entry: { kind: 'dir', node: child } }])
        node = child
      } else if (e.kind === 'dir') {
        node = e.node
      } else {
        throw fsError('EEXIST', `file exists: ${path}`)
      }
    }
  }

  async readdir (path: string): Promise<string[]> {
    this.step(false)
    return [...this.#dir(path).live.keys()].sort()
  }

  async stat (path: string): Promise<FileStat> {
    this.step(false)
    const e = this.#lookup(path)
    if (e === undefined) throw fsError('ENOENT', `no such file or directory: ${path}`)
    if (e.kind === 'dir') return { size: 0, isDirectory: true, mtimeMs: 0 }
    return { size: e.inode.live.size, isDirectory: false, mtimeMs: e.inode.mtimeMs }
  }

  async exists (path: string): Promise<boolean> {
    this.step(false)
    return this.#lookup(path) !== undefined
  }

  async rename (from: string, to: string): Promise<void> {
    this.step(true)
    const [fromDir, fromName] = split(from)
    const [toDir, toName] = split(to)
    const source = this.#dir(fromDir).live
    const entry = source.get(fromName)
    if (entry === undefined) throw fsError('ENOENT', `no such file or directory: ${from}`)
    const target = this.#dir(toDir).live
    const existing = target.get(toName)
    if (existing?.kind === 'dir' && entry.kind === 'file') throw fsError('EISDIR', `is a directory: ${to}`)
    if (existing?.kind === 'dir' && existing.node.live.size > 0) throw fsError('ENOTEMPTY', `directory not empty: ${to}`)
    this.#record([{ dir: this.#dir(fromDir), name: fromName, entry: undefined }, { dir: this.#dir(toDir), name: toName, entry }])
  }

  async unlink (path: string): Promise<void> {
    this.step(true)
    const [dir, name] = split(path)
    const node = this.#dir(dir)
    const e = node.live.get(name)
    if (e === undefined) throw fsError('ENOENT', `no such file: ${path}`)
    if (e.kind === 'dir') throw fsError('EISDIR', `is a directory: ${path}`)
    this.#record([{ dir: node, name, entry: undefined }])
  }

  async rm (path: string): Promise<void> {
    this.step(true)
    const [dir, name] = split(path)
    const node = this.#findDir(dir)
    if (node?.live.has(name) === true) this.#record([{ dir: node, name, entry: undefined }])
  }

  async syncDir (path: string): Promise<void> {
    this.step(true)
    const node = this.#dir(path)
    this.stats.dirSyncs++
    const fault = this.takeSyncFault(normalize(path))
    if (fault !== undefined) throw fsError(fault.code ?? 'EIO', `injected sync failure: ${path}`)
    node.durable = new Map(node.live)
    // The journal's changes of this directory are durable now; those of other directories stay pending.
    this.#journal = this.#journal.map((op) => op.filter((c) => c.dir !== node)).filter((op) => op.length > 0)
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

  #check (write: boolean, mutating = write): void {
    this.#fs.step(mutating)
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
    this.#check(false, true)
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

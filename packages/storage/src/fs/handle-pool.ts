// A bounded LRU of open file handles shared by every segment of a LogManager, so that thousands of
// partitions stay within the process's open-file limit. A handle in use is never closed; when
// every handle is in use the pool goes over its bound until one is released. An evicted owner is
// told (onEvict) so it can drop memory it only needs while hot (a closed segment's indexes).
import { type Logger, silentLogger } from '@brook/common'
import type { FileHandle, FileSystem } from './file-system.js'

export interface PooledFile {
  /** Current path: read at open time, so a rename takes effect on the next open. */
  readonly path: string
  onEvict?: () => void
}

interface Slot {
  handle: Promise<FileHandle>
  /** The handle once open (null before). */
  opened: FileHandle | null
  refs: number
  retired: boolean
}

export class HandlePool {
  readonly #fs: FileSystem
  readonly #max: number
  readonly #logger: Logger
  /** Insertion order is recency: a used slot is moved to the end. */
  readonly #slots = new Map<PooledFile, Slot>()

  constructor (fs: FileSystem, maxOpen: number, logger: Logger = silentLogger) {
    this.#fs = fs
    this.#max = Math.max(1, maxOpen)
    this.#logger = logger
  }

  get openCount (): number { return this.#slots.size }
  get maxOpen (): number { return this.#max }

  async use<T> (owner: PooledFile, fn: (fh: FileHandle) => Promise<T>): Promise<T> {
    let slot = this.#slots.get(owner)
    if (slot === undefined) {
      const created: Slot = { handle: this.#fs.open(owner.path, 'r+'), opened: null, refs: 0, retired: false }
      slot = created
      this.#slots.set(owner, created)
      created.handle.then((fh) => { created.opened = fh }, () => {
        if (this.#slots.get(owner) === created) this.#slots.delete(owner)
      })
      this.#evict()
    } else {
      this.#slots.delete(owner)
      this.#slots.set(owner, slot)
    }
    slot.refs++
    try {
      return await fn(await slot.handle)
    } finally {
      slot.refs--
      if (slot.refs === 0 && (slot.retired || this.#slots.size > this.#max)) {
        if (slot.retired) await this.#closeSlot(owner, slot)
        else this.#evict()
      }
    }
  }

  /**
   * The owner's handle when it is open now (made the most recently used), else null: for a
   * synchronous call, during which nothing can close it.
   */
  openNow (owner: PooledFile): FileHandle | null {
    const slot = this.#slots.get(owner)
    if (slot === undefined || slot.opened === null || slot.retired) return null
    this.#slots.delete(owner)
    this.#slots.set(owner, slot)
    return slot.opened
  }

  /** Closes the owner's handle once no one uses it (before deleting or renaming for good). */
  async close (owner: PooledFile): Promise<void> {
    const slot = this.#slots.get(owner)
    if (slot === undefined) return
    slot.retired = true
    if (slot.refs === 0) await this.#closeSlot(owner, slot)
  }

  async closeAll (): Promise<void> {
    await Promise.all([...this.#slots].map(async ([owner, slot]) => {
      slot.retired = true
      if (slot.refs === 0) await this.#closeSlot(owner, slot)
    }))
  }

  #evict (): void {
    if (this.#slots.size <= this.#max) return
    for (const [owner, slot] of this.#slots) {
      if (this.#slots.size <= this.#max) break
      if (slot.refs > 0 || slot.opened === null) continue
      // Closing is asynchronous; the slot leaves the map now so a new use() reopens.
      this.#closeSlot(owner, slot).catch((err: unknown) => {
        this.#logger.warn({ err, path: owner.path }, 'closing an idle file handle failed')
      })
    }
  }

  async #closeSlot (owner: PooledFile, slot: Slot): Promise<void> {
    if (this.#slots.get(owner) === slot) this.#slots.delete(owner)
    owner.onEvict?.()
    const fh = await slot.handle
    await fh.close()
  }
}

// The aborted-transaction index of one segment: Kafka's `<20-digit base offset>.txnindex`.
// One entry per aborted transaction whose ABORT marker lies in the segment, in marker order:
//
//    0 version           int16  = 0
//    2 producerId        int64
//   10 firstOffset       int64  first offset of the transaction (may lie in an earlier segment)
//   18 lastOffset        int64  offset of the abort marker
//   26 lastStableOffset  int64  the partition's LSO once this transaction completed
//   = 34 bytes, no header, no checksum. The file is created on the first entry.
//
// A read_committed fetch asks every segment from the one holding the fetch offset for the
// transactions overlapping [fetchOffset, upperBound) and stops at the first entry whose LSO
// reaches upperBound: every transaction that could still overlap completed before it.
// Recovery rule: a trailing partial entry, or an entry with an unknown version, ends the index
// (it is cut there). Kafka does not checksum this file either, and a power cut can leave an
// unsynced entry torn (zeros where bytes were): when a segment is recovered, its index is
// rebuilt by replaying producer state over the segment (see log-producer-state.ts).
import { type FileSystem, errorCode } from '../fs/file-system.js'

export const ABORTED_TXN_SIZE = 34
const ABORTED_TXN_VERSION = 0

export interface AbortedTxn {
  producerId: bigint
  firstOffset: number
  lastOffset: number
  lastStableOffset: number
}

export function encodeAbortedTxn (txn: AbortedTxn): Buffer {
  const buf = Buffer.alloc(ABORTED_TXN_SIZE)
  buf.writeInt16BE(ABORTED_TXN_VERSION, 0)
  buf.writeBigInt64BE(txn.producerId, 2)
  buf.writeBigInt64BE(BigInt(txn.firstOffset), 10)
  buf.writeBigInt64BE(BigInt(txn.lastOffset), 18)
  buf.writeBigInt64BE(BigInt(txn.lastStableOffset), 26)
  return buf
}

/** Entries up to the first partial or unknown-version one; `validBytes` is where they end. */
export function decodeAbortedTxns (buf: Buffer): { entries: AbortedTxn[], validBytes: number } {
  const entries: AbortedTxn[] = []
  let pos = 0
  while (pos + ABORTED_TXN_SIZE <= buf.length && buf.readInt16BE(pos) === ABORTED_TXN_VERSION) {
    entries.push({
      producerId: buf.readBigInt64BE(pos + 2),
      firstOffset: Number(buf.readBigInt64BE(pos + 10)),
      lastOffset: Number(buf.readBigInt64BE(pos + 18)),
      lastStableOffset: Number(buf.readBigInt64BE(pos + 26))
    })
    pos += ABORTED_TXN_SIZE
  }
  return { entries, validBytes: pos }
}

export interface TxnIndexSearch {
  txns: AbortedTxn[]
  /** True when no later segment can hold an overlapping transaction. */
  complete: boolean
}

/**
 * One segment's index: the entries are kept in memory (aborts are rare) and appended to the file.
 * Only the partition's single writer calls the mutating methods.
 */
export class TransactionIndex {
  readonly baseOffset: number
  path: string
  readonly #fs: FileSystem
  #entries: AbortedTxn[]
  /** Bytes of the file that hold entries (0 when it does not exist). */
  #fileBytes: number
  #dirty = false
  /** Changes so far: a flush clears `dirty` only if none came in during its fsync. */
  #changes = 0
  /** The file was created since the last flush: its directory entry needs an fsync too. */
  #created = false

  private constructor (fs: FileSystem, path: string, baseOffset: number, entries: AbortedTxn[], fileBytes: number) {
    this.#fs = fs
    this.path = path
    this.baseOffset = baseOffset
    this.#entries = entries
    this.#fileBytes = fileBytes
  }

  /** Opens the index at `path` (missing: empty). A torn tail is cut off the file. */
  static async open (fs: FileSystem, path: string, baseOffset: number): Promise<TransactionIndex> {
    let data: Buffer
    try {
      data = await fs.readFile(path)
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return new TransactionIndex(fs, path, baseOffset, [], 0)
      throw err
    }
    const { entries, validBytes } = decodeAbortedTxns(data)
    const index = new TransactionIndex(fs, path, baseOffset, entries, data.length)
    if (validBytes < data.length) await index.#truncateFile(validBytes)
    return index
  }

  /** An index with no entries and no file yet (a new segment). */
  static empty (fs: FileSystem, path: string, baseOffset: number): TransactionIndex {
    return new TransactionIndex(fs, path, baseOffset, [], 0)
  }

  get entries (): readonly AbortedTxn[] {
    return this.#entries
  }

  get lastOffset (): number | null {
    return this.#entries.at(-1)?.lastOffset ?? null
  }

  /** Appends an entry; marker offsets must increase (a duplicate would mean a replay bug). */
  async append (txn: AbortedTxn): Promise<void> {
    const last = this.lastOffset
    if (last !== null && txn.lastOffset <= last) {
      throw new Error(`BROOK_TXN_INDEX_ORDER: aborted transaction ending at ${txn.lastOffset} is not after ${last} in ${this.path}`)
    }
    if (this.#fileBytes === 0) this.#created = true
    const fh = await this.#fs.open(this.path, this.#fileBytes === 0 ? 'w+' : 'r+')
    try {
      await fh.write(encodeAbortedTxn(txn), this.#fileBytes)
    } finally {
      await fh.close()
    }
    this.#entries.push(txn)
    this.#fileBytes += ABORTED_TXN_SIZE
    this.#dirty = true
    this.#changes++
  }

  /** Drops the entries whose marker is at or after `offset` (log truncation). */
  async truncateTo (offset: number): Promise<void> {
    const keep = this.#entries.findIndex((t) => t.lastOffset >= offset)
    if (keep === -1) return
    this.#entries = this.#entries.slice(0, keep)
    await this.#truncateFile(keep * ABORTED_TXN_SIZE)
  }

  /** Removes every entry (before the segment's index is rebuilt by recovery). */
  async reset (): Promise<void> {
    this.#entries = []
    await this.#truncateFile(0)
  }

  /**
   * Rewrites the file to hold exactly `entries` (marker order), fsynced; no entries deletes it.
   * Recovery's rebuild: the caller fsyncs the directory afterwards.
   */
  async rewrite (entries: readonly AbortedTxn[]): Promise<void> {
    if (entries.length === 0) {
      await this.delete()
      return
    }
    const bytes = Buffer.concat(entries.map(encodeAbortedTxn))
    const fh = await this.#fs.open(this.path, 'w+')
    try {
      await fh.write(bytes, 0)
      await fh.datasync()
    } finally {
      await fh.close()
    }
    this.#entries = [...entries]
    this.#fileBytes = bytes.length
    this.#dirty = false
    this.#created = false
  }

  /** The entries overlapping [fetchOffset, upperBoundOffset). */
  collect (fetchOffset: number, upperBoundOffset: number): TxnIndexSearch {
    const txns: AbortedTxn[] = []
    for (const t of this.#entries) {
      if (t.lastOffset >= fetchOffset && t.firstOffset < upperBoundOffset) txns.push(t)
      if (t.lastStableOffset >= upperBoundOffset) return { txns, complete: true }
    }
    return { txns, complete: false }
  }

  /**
   * fsync, if anything was written since the last flush. True when the file was created since
   * then: the caller must fsync the directory for it to survive a power cut.
   */
  async flush (): Promise<boolean> {
    if (!this.#dirty || this.#fileBytes === 0) return false
    const changes = this.#changes
    const created = this.#created
    const fh = await this.#fs.open(this.path, 'r+')
    try {
      await fh.datasync()
    } finally {
      await fh.close()
    }
    // May run beside the writer (group commit): a change made during the fsync stays dirty.
    if (this.#changes === changes) this.#dirty = false
    if (created) this.#created = false
    return created
  }

  /** Moves the file (segment deletion or swap suffixes); a missing file only changes the path. */
  async renameTo (path: string): Promise<void> {
    if (this.#fileBytes > 0) await this.#fs.rename(this.path, path)
    this.path = path
  }

  async delete (): Promise<void> {
    try {
      await this.#fs.unlink(this.path)
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err
    }
    this.#entries = []
    this.#fileBytes = 0
  }

  async #truncateFile (bytes: number): Promise<void> {
    if (this.#fileBytes === 0 && bytes === 0) return
    const fh = await this.#fs.open(this.path, 'r+')
    try {
      await fh.truncate(bytes)
    } finally {
      await fh.close()
    }
    this.#fileBytes = bytes
    this.#dirty = true
    this.#changes++
  }
}

/**
 * The aborted transactions a read_committed fetch of [fetchOffset, upperBoundOffset) must be told
 * about: `indexes` are the segments' indexes from the one holding fetchOffset onwards, in order,
 * opened only as far as the search needs them.
 */
export async function collectAbortedTxns (indexes: AsyncIterable<TransactionIndex> | Iterable<TransactionIndex>, fetchOffset: number, upperBoundOffset: number): Promise<AbortedTxn[]> {
  const out: AbortedTxn[] = []
  for await (const index of indexes) {
    const search = index.collect(fetchOffset, upperBoundOffset)
    out.push(...search.txns)
    if (search.complete) break
  }
  return out
}

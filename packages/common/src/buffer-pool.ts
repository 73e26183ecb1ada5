// Recycled buffers for the bytes a broker Fetch reads from segment files, and for Produce requests
// gathered from socket chunks. A fresh Buffer.allocUnsafe of ~1 MiB per request costs more than
// the work itself: the allocator hands big freed blocks back to the OS, so every new one faults
// its pages in again, and the churn of external memory drives V8 into frequent full collections
// (profile in docs/benchmarks.md, "Broker").
// A request borrows through a Lease; the connection gives the lease back once the response is
// written (Node calls a write's callback when it no longer needs the buffers). A buffer that never
// comes back (the connection died mid-write) is simply garbage collected.
// Sizes are rounded up to a power of two between MIN_POOLED and MAX_POOLED; smaller and larger
// requests are plain allocations. At most maxIdleBytes wait in the pool.

export const MIN_POOLED = 64 * 1024
export const MAX_POOLED = 16 * 1024 * 1024

function sizeClass (size: number): number {
  let c = MIN_POOLED
  while (c < size) c *= 2
  return c
}

export class BufferPool {
  readonly maxIdleBytes: number
  readonly #idle = new Map<number, Buffer[]>()
  #idleBytes = 0

  constructor (maxIdleBytes = 32 * 1024 * 1024) {
    this.maxIdleBytes = maxIdleBytes
  }

  get idleBytes (): number { return this.#idleBytes }

  /** A whole pooled buffer of at least `size` bytes (size within the pooled range). */
  take (size: number): Buffer {
    const c = sizeClass(size)
    const buf = this.#idle.get(c)?.pop()
    if (buf === undefined) return Buffer.allocUnsafeSlow(c)
    this.#idleBytes -= c
    return buf
  }

  /** `size` bytes or more: a pooled buffer when the size is in the pooled range, else a new one. */
  allocate (size: number): Buffer {
    return size < MIN_POOLED || size > MAX_POOLED ? Buffer.allocUnsafe(size) : this.take(size)
  }

  give (buf: Buffer): void {
    const c = buf.length
    if (c < MIN_POOLED || c > MAX_POOLED || (c & (c - 1)) !== 0 || this.#idleBytes + c > this.maxIdleBytes) return
    let list = this.#idle.get(c)
    if (list === undefined) this.#idle.set(c, list = [])
    list.push(buf)
    this.#idleBytes += c
  }
}

/** The buffers one request borrowed; returned together once its response is written. */
export class Lease {
  readonly #pool: BufferPool
  #taken: Buffer[] = []

  constructor (pool: BufferPool) {
    this.#pool = pool
  }

  /** `size` bytes, a view of a pooled buffer when the size is in the pooled range. */
  readonly allocate = (size: number): Buffer => {
    if (size < MIN_POOLED || size > MAX_POOLED) return Buffer.allocUnsafe(size)
    const buf = this.#pool.take(size)
    this.#taken.push(buf)
    return buf.subarray(0, size)
  }

  get borrowed (): number { return this.#taken.length }

  /** A new, empty lease on the same pool (for reads not yet tied to a request). */
  spawn (): Lease { return new Lease(this.#pool) }

  /** Takes over what `other` borrowed: it comes back with this lease. */
  adopt (other: Lease): void {
    for (const buf of other.#taken) this.#taken.push(buf)
    other.#taken = []
  }

  /** Only once nothing refers to the buffers any more (the response is on the socket). */
  release (): void {
    for (const buf of this.#taken) this.#pool.give(buf)
    this.#taken = []
  }
}

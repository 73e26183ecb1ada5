// The visibility bound of a topic with delivery.delay.ms (Brook's): a record becomes readable by
// consumers `delayMs` after it was appended. Beside the high watermark and the last stable offset
// it is a third upper bound for consumer reads: the first offset of the oldest append that is not
// yet `delayMs` old. Appends are tracked as ranges of offsets with their append time, from the
// log's onAppend (no batch is unpacked); once a range comes of age it leaves the queue and a
// timer wakes the long polls waiting on the partition. Ordinary topics have no VisibilityDelay.
// After a restart (or when the config is set on a topic with data) the ranges of the last
// `delayMs` are rebuilt from the batch headers at the log's tail, aged by each batch's max
// timestamp (the append time on LogAppendTime topics, the producer's time on CreateTime ones).
import { batchBaseOffset, batchLastOffset, batchMaxTimestamp, batchSize, BATCH_HEADER_SIZE } from '@brook/protocol'
import type { Logger } from '@brook/common'
import type { PartitionLog } from '@brook/storage'

interface PendingRange {
  /** First offset of the range. */
  start: number
  /** One past its last offset. */
  end: number
  /** When it becomes visible (append time + delay). */
  visibleAt: number
}

/** How much of the log tail one rebuild read takes at a time. */
const REBUILD_CHUNK_BYTES = 1 << 20

export class VisibilityDelay {
  readonly #pending: PendingRange[] = []
  /** Index of the first live entry of #pending (a queue without shifting). */
  #head = 0
  #timer: NodeJS.Timeout | undefined
  #timerAt = Infinity
  #closed = false
  #unsubscribe: () => void
  /** Resolves once the tail of the log was scanned; reads wait for it. */
  readonly ready: Promise<void>
  #loading = true
  #loadingBound = 0

  constructor (
    private readonly log: PartitionLog,
    readonly delayMs: number,
    private readonly wake: () => void,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now
  ) {
    this.#loadingBound = log.logStartOffset
    const appendedWhileLoading: PendingRange[] = []
    let lastEnd = log.logEndOffset
    this.#unsubscribe = log.onAppend((logEndOffset) => {
      const range = { start: lastEnd, end: logEndOffset, visibleAt: this.now() + this.delayMs }
      lastEnd = logEndOffset
      if (range.end <= range.start) return
      if (this.#loading) appendedWhileLoading.push(range)
      else this.#push(range)
    })
    this.ready = this.#rebuild(lastEnd).then(() => {
      this.#loading = false
      for (const range of appendedWhileLoading) this.#push(range)
      this.#arm()
    })
  }

  /** The exclusive upper bound of what consumers may read now (never above the high watermark). */
  bound (): number {
    const hw = this.log.highWatermark
    if (this.#loading) return Math.min(hw, this.#loadingBound)
    this.#expire(this.now())
    const first = this.#pending[this.#head]
    return first === undefined ? hw : Math.min(hw, first.start)
  }

  /** When the next pending record becomes visible, null when none is pending. */
  nextVisibleAt (): number | null {
    return this.#pending[this.#head]?.visibleAt ?? null
  }

  close (): void {
    this.#closed = true
    this.#unsubscribe()
    clearTimeout(this.#timer)
  }

  #push (range: PendingRange): void {
    // A follower's truncation rewinds the log end: ranges at or past the new start are gone.
    while (this.#pending.length > this.#head && (this.#pending[this.#pending.length - 1] as PendingRange).start >= range.start) this.#pending.pop()
    this.#pending.push(range)
    this.#arm()
  }

  #expire (now: number): void {
    while (this.#head < this.#pending.length && (this.#pending[this.#head] as PendingRange).visibleAt <= now) this.#head++
    if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
      this.#pending.splice(0, this.#head)
      this.#head = 0
    }
  }

  /** One timer, for the oldest pending range: when it fires the waiting fetches re-read. */
  #arm (): void {
    if (this.#closed || this.#loading) return
    const next = this.nextVisibleAt()
    if (next === null || next >= this.#timerAt) return
    clearTimeout(this.#timer)
    this.#timerAt = next
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#timerAt = Infinity
      this.#expire(this.now())
      this.wake()
      this.#arm()
    }, Math.max(0, next - this.now()))
    this.#timer.unref()
  }

  /** Ranges for the batches in [first offset at or after now - delay, end), by batch max timestamp. */
  async #rebuild (end: number): Promise<void> {
    try {
      const since = this.now() - this.delayMs
      const found = await this.log.offsetForTimestamp(since)
      if (found === null || found.offset >= end) return
      let offset = Math.max(found.offset, this.log.logStartOffset)
      while (offset < end && !this.#closed) {
        const read = await this.log.read(offset, { maxBytes: REBUILD_CHUNK_BYTES, maxOffset: end, minOneBatch: true })
        if (read.bytes === 0) break
        for (const chunk of read.chunks) {
          for (let pos = 0; pos + BATCH_HEADER_SIZE <= chunk.length; pos += batchSize(chunk, pos)) {
            const last = batchLastOffset(chunk, pos)
            if (last < offset) continue
            const visibleAt = Math.min(batchMaxTimestamp(chunk, pos), this.now()) + this.delayMs
            // A fetch returns whole batches: the bound sits at a batch's start, never inside one.
            const start = Math.min(offset, batchBaseOffset(chunk, pos))
            offset = last + 1
            if (visibleAt > this.now()) this.#pending.push({ start, end: offset, visibleAt })
          }
        }
      }
    } catch (err) {
      // Unreadable tail: everything already appended counts as visible rather than hidden forever.
      this.logger.warn({ err, topic: this.log.topic, partition: this.log.partition }, 'delivery.delay.ms: could not rebuild the pending ranges')
    }
  }
}

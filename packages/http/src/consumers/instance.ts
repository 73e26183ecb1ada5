// One REST Proxy consumer instance: a Brook consumer plus what the REST API adds on top of it,
// the long-poll read (records wait up to a timeout, a read in flight carries over to the next
// call rather than being lost) and the offsets delivered to the HTTP client (what an empty commit
// commits).
import type { Consumer, ConsumerBatch, ConsumerMessage, KafkaAccessLike } from './types.js'
import { RestCode, RestError } from '../errors.js'
import type { EmbeddedFormat } from '../formats.js'

export interface InstanceSettings {
  group: string
  name: string
  format: EmbeddedFormat
  autoOffsetReset: 'earliest' | 'latest'
  autoCommit: boolean
  /** consumer.request.timeout.ms: how long a records call waits when it names no timeout. */
  requestTimeoutMs: number
  fetchMinBytes: number
}

const tp = (topic: string, partition: number): string => `${topic}\u0000${partition}`

export class ConsumerInstance {
  readonly settings: InstanceSettings
  lastUsed = Date.now()
  #kafka: KafkaAccessLike
  #consumer: Consumer
  #mode: 'none' | 'subscribe' | 'assign' = 'none'
  #topics: string[] = []
  #iterator: AsyncIterator<ConsumerBatch> | null = null
  #pending: Promise<IteratorResult<ConsumerBatch>> | null = null
  /** Per partition, the offset after the last record handed to the HTTP client. */
  readonly #delivered = new Map<string, { topic: string, partition: number, offset: bigint }>()
  /** Batches taken from the consumer but not delivered (their read failed), oldest first. */
  #kept: ConsumerBatch[] = []
  /** One records call at a time: a second one waits for the first. */
  #reading: Promise<unknown> = Promise.resolve()

  constructor (kafka: KafkaAccessLike, settings: InstanceSettings) {
    this.#kafka = kafka
    this.settings = settings
    this.#consumer = this.#newConsumer()
  }

  #newConsumer (): Consumer {
    return this.#kafka.client.consumer({
      groupId: this.settings.group,
      autoOffsetReset: this.settings.autoOffsetReset,
      autoCommit: this.settings.autoCommit,
      minBytes: this.settings.fetchMinBytes
    })
  }

  get subscription (): string[] { return this.#mode === 'subscribe' ? [...this.#topics] : [] }

  assignment (): Array<{ topic: string, partition: number }> {
    return this.#consumer.assignment()
  }

  subscribe (topics: string[]): void {
    if (this.#mode === 'assign') throw new RestError(409, RestCode.ILLEGAL_STATE, 'Subscription to topics, partitions and pattern are mutually exclusive (this instance has assigned partitions)')
    this.#consumer.subscribe({ topics })
    this.#mode = 'subscribe'
    this.#topics = [...topics]
  }

  assign (partitions: Array<{ topic: string, partition: number }>): void {
    if (this.#mode === 'subscribe') throw new RestError(409, RestCode.ILLEGAL_STATE, 'Subscription to topics, partitions and pattern are mutually exclusive (this instance is subscribed)')
    this.#consumer.assign(partitions)
    this.#mode = 'assign'
  }

  /** DELETE subscription: the consumer leaves the group; a new one takes its place for the next subscribe. */
  async unsubscribe (): Promise<void> {
    const old = this.#consumer
    this.#stopReading()
    this.#consumer = this.#newConsumer()
    this.#mode = 'none'
    this.#topics = []
    this.#delivered.clear()
    this.#kept = []
    await old.close()
  }

  seek (topic: string, partition: number, offset: bigint): void {
    this.#kept = this.#kept.filter((b) => b.topic !== topic || b.partition !== partition)
    try {
      this.#consumer.seek({ topic, partition, offset })
    } catch (err) {
      throw new RestError(409, RestCode.ILLEGAL_STATE, (err as Error).message)
    }
  }

  /**
   * Records ready within `timeoutMs`, stopping once `maxBytes` of keys and values were gathered
   * (a batch is never split), each turned into its JSON form by `encode`. When `encode` throws
   * (a record the format cannot show), nothing of this read counts as delivered: its batches are
   * kept for the next read, so a client sees the failure again until it seeks past the record.
   */
  async records<T> (timeoutMs: number, maxBytes: number, encode: (m: ConsumerMessage) => T): Promise<T[]> {
    const previous = this.#reading
    // The previous call's failure was its caller's answer; this one runs after it either way.
    const read = async (): Promise<T[]> => await this.#read(timeoutMs, maxBytes, encode)
    const run = previous.then(read, read)
    this.#reading = run
    return await run
  }

  async #read<T> (timeoutMs: number, maxBytes: number, encode: (m: ConsumerMessage) => T): Promise<T[]> {
    if (this.#mode === 'none') throw new RestError(409, RestCode.ILLEGAL_STATE, 'Consumer is not subscribed to any topics or assigned any partitions')
    this.#iterator ??= this.#consumer[Symbol.asyncIterator]()
    const taken: ConsumerBatch[] = []
    let bytes = 0
    const deadline = Date.now() + timeoutMs
    while (bytes < maxBytes) {
      // After the first batch, only what is ready now: the answer does not wait for more.
      const wait = taken.length === 0 ? Math.max(0, deadline - Date.now()) : 0
      const batch = await this.#next(wait)
      if (batch === null) break
      taken.push(batch)
      for (const m of batch.messages) bytes += (m.key?.length ?? 0) + (m.value?.length ?? 0)
    }
    let out: T[]
    try {
      out = taken.flatMap((batch) => batch.messages.map(encode))
    } catch (err) {
      this.#kept.unshift(...taken)
      throw err
    }
    for (const batch of taken) {
      const last = batch.messages[batch.messages.length - 1]
      if (last !== undefined) this.#delivered.set(tp(batch.topic, batch.partition), { topic: batch.topic, partition: batch.partition, offset: last.offset + 1n })
    }
    return out
  }

  /** The next batch (a kept one first), or null when none came within `waitMs` (the read stays pending for the next call). */
  async #next (waitMs: number): Promise<ConsumerBatch | null> {
    const kept = this.#kept.shift()
    if (kept !== undefined) return kept
    const iterator = this.#iterator
    if (iterator === null) return null
    this.#pending ??= iterator.next()
    const pending = this.#pending
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<null>((resolve) => {
      if (waitMs === 0) setImmediate(() => resolve(null))
      else timer = setTimeout(() => resolve(null), waitMs)
    })
    try {
      const result = await Promise.race([pending, timeout])
      if (result === null) return null
      this.#pending = null
      if (result.done === true) {
        this.#iterator = null
        return null
      }
      return result.value
    } catch (err) {
      this.#pending = null
      this.#iterator = null
      throw err
    } finally {
      clearTimeout(timer)
    }
  }

  /** Commits `offsets` (each the last record consumed, as the REST Proxy takes them: Kafka's position is offset + 1), or everything delivered. */
  async commit (offsets: Array<{ topic: string, partition: number, offset: bigint }> | null): Promise<void> {
    const list = offsets === null
      ? [...this.#delivered.values()]
      : offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset + 1n }))
    if (list.length === 0) return
    await this.#consumer.commit(list)
  }

  #stopReading (): void {
    const pending = this.#pending
    // The consumer is closing: a read still in flight ends with it and nobody waits for it.
    if (pending !== null) pending.catch(() => {})
    this.#pending = null
    this.#iterator = null
  }

  async close (): Promise<void> {
    this.#stopReading()
    await this.#consumer.close()
  }
}

// Non-blocking retries with back-off and a dead-letter topic for a consumer group (Spring Kafka's
// pattern on Brook's delayed delivery): a record whose handler fails is produced to a retry
// topic that delivers it later, and after the last attempt to a dead-letter topic; the main
// topic's partition moves on meanwhile. Two ways to delay:
// - 'topics' (default): one topic per attempt, `<topic>.retry-<n>`, with the topic config
//   delivery.delay.ms = that attempt's delay (each retry topic is read in order; its consumer
//   waits at the visibility bound);
// - 'scheduled': one topic `<topic>.retry` with delivery.schedule.enable=true, each record carrying
//   its own delay in the brook.delay.ms header (any back-off per attempt, e.g. exponential).
// The handler's record is committed once it is handled or handed on (the produce is awaited
// first), so a crash in between redelivers it: at least once, as the consumer itself.
import type { ClientOptions } from '../cluster/cluster.js'
import { Admin, type NewTopic } from '../admin/admin.js'
import { Consumer, type ConsumerOptions } from '../consumer/consumer.js'
import type { ConsumerMessage } from '../consumer/fetcher.js'
import { IllegalStateError } from '../errors/client-errors.js'
import { KafkaError } from '../errors/kafka-errors.js'
import { ErrorCode } from '@brook/protocol'
import { Producer, type ProducerOptions } from '../producer/producer.js'
import { retryHeaders, readRetryState } from './retry-headers.js'

export interface RetryTopicsOptions {
  /** The delay before each retry, ms; its length is the number of retries. Default [1000, 10000]. */
  delaysMs?: number[]
  /** How records are delayed (see above). Default 'topics'. */
  mode?: 'topics' | 'scheduled'
  /** Retry topic names: `<topic><suffix>-<n>` ('topics') or `<topic><suffix>` ('scheduled'). Default '.retry'. */
  retryTopicSuffix?: string
  /** Dead-letter topic: `<topic><suffix>`. Default '.dlt'. */
  deadLetterTopicSuffix?: string
  /** Create the retry and dead-letter topics (with the main topic's partition count) when missing. Default true. */
  createTopics?: boolean
  /** Errors for which retrying is pointless go straight to the dead-letter topic. Default: every error is retried. */
  retryable?: (err: unknown) => boolean
  producer?: ProducerOptions
}

export interface RetryEachMessagePayload {
  /** The topic the record was first produced to (not the retry topic it came from). */
  topic: string
  /** The partition and the record as read now (from the main or a retry topic). */
  partition: number
  message: ConsumerMessage
  /** 0 for the first delivery, n for the n-th retry. */
  attempt: number
}

/** Powers of `multiplier` from `initialMs`, capped at `maxMs`: a back-off list for delaysMs. */
export function exponentialDelays (count: number, initialMs: number, multiplier = 2, maxMs = Number.POSITIVE_INFINITY): number[] {
  return Array.from({ length: count }, (_, i) => Math.min(maxMs, Math.round(initialMs * multiplier ** i)))
}

export class RetryingConsumer {
  readonly consumer: Consumer
  readonly producer: Producer
  private readonly admin: Admin
  private readonly delays: number[]
  private readonly mode: 'topics' | 'scheduled'
  private readonly retrySuffix: string
  private readonly dltSuffix: string
  /** Every topic read (main and retry) -> its main topic. */
  private readonly mainOf = new Map<string, string>()

  constructor (client: ClientOptions, consumerOptions: ConsumerOptions & { groupId: string }, private readonly options: RetryTopicsOptions = {}) {
    this.consumer = new Consumer(client, consumerOptions)
    this.producer = new Producer(client, { acks: -1, ...options.producer })
    this.admin = new Admin(client)
    this.delays = options.delaysMs ?? [1000, 10000]
    if (this.delays.some((d) => !Number.isInteger(d) || d < 0)) throw new IllegalStateError('delaysMs must be non-negative integers')
    this.mode = options.mode ?? 'topics'
    this.retrySuffix = options.retryTopicSuffix ?? '.retry'
    this.dltSuffix = options.deadLetterTopicSuffix ?? '.dlt'
    // An empty suffix would hand failed records back to the topic they came from, forever.
    if (this.retrySuffix === '' || this.dltSuffix === '' || this.retrySuffix === this.dltSuffix) {
      throw new IllegalStateError('retryTopicSuffix and deadLetterTopicSuffix must be non-empty and differ')
    }
  }

  /** The topic a record of `topic` goes to after failing attempt `attempt` (0: the first delivery). */
  nextTopic (topic: string, attempt: number): string {
    if (attempt >= this.delays.length) return this.deadLetterTopic(topic)
    return this.mode === 'scheduled' ? `${topic}${this.retrySuffix}` : `${topic}${this.retrySuffix}-${attempt + 1}`
  }

  deadLetterTopic (topic: string): string { return `${topic}${this.dltSuffix}` }

  private retryTopics (topic: string): string[] {
    if (this.delays.length === 0) return []
    return this.mode === 'scheduled' ? [`${topic}${this.retrySuffix}`] : this.delays.map((_, i) => `${topic}${this.retrySuffix}-${i + 1}`)
  }

  /** Creates the retry and dead-letter topics when asked to, then subscribes to the main and retry topics. */
  async subscribe (topics: string[]): Promise<void> {
    for (const topic of topics) {
      this.mainOf.set(topic, topic)
      for (const r of this.retryTopics(topic)) this.mainOf.set(r, topic)
      if (this.options.createTopics !== false) await this.createTopicsFor(topic)
    }
    this.consumer.subscribe({ topics: [...this.mainOf.keys()] })
  }

  private async createTopicsFor (topic: string): Promise<void> {
    const [main] = await this.admin.describeTopics([topic])
    const numPartitions = main?.partitions.length ?? -1
    const wanted: NewTopic[] = this.mode === 'scheduled'
      ? this.retryTopics(topic).map((name) => ({ topic: name, numPartitions, configs: { 'delivery.schedule.enable': 'true' } }))
      : this.retryTopics(topic).map((name, i) => ({ topic: name, numPartitions, configs: { 'delivery.delay.ms': String(this.delays[i]) } }))
    wanted.push({ topic: this.deadLetterTopic(topic), numPartitions })
    for (const t of wanted) {
      try {
        await this.admin.createTopics([t])
      } catch (err) {
        // Made by an earlier run or another member: its configs are the operator's to keep.
        if (!(err instanceof KafkaError && err.code === ErrorCode.TOPIC_ALREADY_EXISTS)) throw err
      }
    }
  }

  /**
   * Reads until stop()/close(). A handler that throws hands the record to the next retry topic
   * (or the dead-letter topic after the last retry, or at once when the error is not retryable).
   */
  async run (options: { eachMessage: (payload: RetryEachMessagePayload) => Promise<void> | void }): Promise<void> {
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const main = this.mainOf.get(topic) ?? topic
        const attempt = main === topic ? 0 : readRetryState(message.headers).attempt
        try {
          await options.eachMessage({ topic: main, partition, message, attempt })
        } catch (err) {
          await this.handOn(main, topic, partition, message, attempt, err)
        }
      }
    })
  }

  private async handOn (main: string, from: string, partition: number, message: ConsumerMessage, attempt: number, err: unknown): Promise<void> {
    const retryable = this.options.retryable?.(err) ?? true
    const target = retryable ? this.nextTopic(main, attempt) : this.deadLetterTopic(main)
    const dead = target === this.deadLetterTopic(main)
    const original = main === from
      ? { topic: from, partition, offset: message.offset }
      : readRetryState(message.headers).original ?? { topic: from, partition, offset: message.offset }
    const delayMs = dead || this.mode !== 'scheduled' ? null : this.delays[attempt]!
    this.consumer.cluster.logger.info({ topic: main, offset: message.offset, attempt, to: target, err }, dead ? 'record dead-lettered' : 'record handed to its retry topic')
    await this.producer.send({
      topic: target,
      messages: [{
        key: message.key,
        value: message.value,
        headers: retryHeaders(message.headers, { attempt: attempt + 1, original, error: err, delayMs })
      }]
    })
  }

  stop (): void { this.consumer.stop() }

  async close (): Promise<void> {
    try {
      await this.consumer.close()
    } finally {
      await this.producer.close()
      await this.admin.close()
    }
  }
}

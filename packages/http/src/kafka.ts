// The HTTP layer's way to the cluster: Brook's own Kafka client, connected to a broker's
// listener like any other client, so the REST API works the same against any Kafka-compatible
// cluster. One admin and one producer are shared by every request (made on first use); each
// REST consumer instance has its own consumer (consumers.ts).
import { type Admin, Client, type ClientOptions, kafkaError, type Producer, type TopicMetadata } from '@brook/client'
import type { Logger } from '@brook/common'
import { ErrorCode, metadataApi } from '@brook/protocol'

export class KafkaAccess {
  readonly client: Client
  #admin: Admin | null = null
  #producer: Producer | null = null

  /** `options`: the cluster's bootstrap list and how to reach it (TLS, SASL); client id brook-http unless set. */
  constructor (options: ClientOptions, logger: Logger) {
    this.client = new Client({ clientId: 'brook-http', ...options, logger })
  }

  get admin (): Admin {
    this.#admin ??= this.client.admin()
    return this.#admin
  }

  /** acks=all, idempotent: a 200 answer means the records are durable. Short linger: records of concurrent requests share batches. */
  get producer (): Producer {
    this.#producer ??= this.client.producer({ lingerMs: 2 })
    return this.#producer
  }

  /**
   * The named topics as one Metadata request answers them (never auto-created), throwing
   * UNKNOWN_TOPIC_OR_PARTITION for a missing one. Its own request, not the admin's shared refresh:
   * names from URLs must not join the client's topics of interest (an unbounded set), and a
   * refresh already in flight for other topics must not answer for these.
   */
  async describeTopics (names: readonly string[]): Promise<TopicMetadata[]> {
    if (names.length === 0) return []
    const connection = await this.admin.cluster.any()
    const response = await connection.request(metadataApi, {
      topics: names.map((name) => ({ name })),
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false
    })
    return names.map((name) => {
      const t = response.topics.find((x) => x.name === name)
      if (t === undefined || t.errorCode !== ErrorCode.NONE) throw kafkaError(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name}`)
      return {
        name,
        topicId: t.topicId ?? null,
        isInternal: t.isInternal ?? false,
        errorCode: t.errorCode,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch ?? -1,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          errorCode: p.errorCode
        })).sort((a, b) => a.partition - b.partition)
      }
    })
  }

  /**
   * The shared producer, once its metadata knows `topic`. A producer's metadata refresh that is
   * already in flight answers for the topics it was started with, so a send to a topic the
   * producer has not seen yet, made while another refresh runs, could find it missing: ask
   * again (a new refresh) until it is known, a few times, before sending.
   */
  async producerFor (topic: string): Promise<Producer> {
    const producer = this.producer
    for (let attempt = 0; attempt < 3; attempt++) {
      const meta = await producer.cluster.metadataFor([topic])
      if (meta.topics.has(topic)) break
    }
    return producer
  }

  async close (): Promise<void> {
    await Promise.all([this.#producer?.close(), this.#admin?.close()])
  }
}

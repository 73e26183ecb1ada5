// The HTTP layer's way to the cluster: Brook's own Kafka client, connected to a broker's
// listener like any other client, so the REST API works the same against any Kafka-compatible
// cluster. One admin and one producer are shared by every request (made on first use); each
// REST consumer instance has its own consumer (consumers.ts).
import { type Admin, Client, type Producer } from '@brook/client'
import type { Logger } from '@brook/common'

export class KafkaAccess {
  readonly client: Client
  #admin: Admin | null = null
  #producer: Producer | null = null

  constructor (bootstrap: readonly string[], logger: Logger) {
    this.client = new Client({ brokers: [...bootstrap], clientId: 'brook-http', logger })
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

  async close (): Promise<void> {
    await Promise.all([this.#producer?.close(), this.#admin?.close()])
  }
}

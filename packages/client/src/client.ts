// The entry point: holds the connection options and makes producers, consumers (plain, share and
// retrying) and admins, each with its own connections (as Kafka's clients do).
import type { ClientOptions } from './cluster/cluster.js'
import { Admin } from './admin/admin.js'
import { Consumer, type ConsumerOptions } from './consumer/consumer.js'
import { Producer, type ProducerOptions } from './producer/producer.js'
import { RetryingConsumer, type RetryTopicsOptions } from './retry/retry-topics.js'
import { ShareConsumer, type ShareConsumerOptions } from './share/share-consumer.js'

export class Client {
  constructor (readonly options: ClientOptions) {}

  producer (options: ProducerOptions = {}): Producer {
    return new Producer(this.options, options)
  }

  consumer (options: ConsumerOptions = {}): Consumer {
    return new Consumer(this.options, options)
  }

  /** A consumer group member with retry topics and a dead-letter topic for records whose handler fails. */
  retryingConsumer (options: ConsumerOptions & { groupId: string }, retry: RetryTopicsOptions = {}): RetryingConsumer {
    return new RetryingConsumer(this.options, options, retry)
  }

  /** A share-group member (KIP-932): records of shared partitions, acknowledged one by one. */
  shareConsumer (options: ShareConsumerOptions): ShareConsumer {
    return new ShareConsumer(this.options, options)
  }

  admin (): Admin {
    return new Admin(this.options)
  }
}

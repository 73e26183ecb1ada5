// The entry point: holds the connection options and makes producers, consumers and admins, each
// with its own connections (as Kafka's clients do).
import type { ClientOptions } from './cluster/cluster.js'
import { Producer, type ProducerOptions } from './producer/producer.js'

export class Client {
  constructor (readonly options: ClientOptions) {}

  producer (options: ProducerOptions = {}): Producer {
    return new Producer(this.options, options)
  }
}

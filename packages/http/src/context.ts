// What every route sees: the broker (metrics, identity), the Kafka client and the consumer instances.
import type { RunningBroker } from '@brook/broker'
import type { Logger } from '@brook/common'
import type { ConsumerInstances } from './consumers/registry.js'
import type { KafkaAccess } from './kafka.js'

export interface HttpContext {
  readonly broker: RunningBroker
  readonly kafka: KafkaAccess
  readonly consumers: ConsumerInstances
  readonly logger: Logger
}

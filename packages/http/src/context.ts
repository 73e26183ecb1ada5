// What every route sees: the Kafka client, the consumer instances, the metrics to serve, and the
// broker when the HTTP API runs in its process (undefined for `brook http` against a cluster).
import type { RunningBroker } from '@brook/broker'
import type { Logger } from '@brook/common'
import type { ConsumerInstances } from './consumers/registry.js'
import type { KafkaAccess } from './kafka.js'
import type { MetricsView } from './metrics.js'

export interface HttpContext {
  readonly broker: RunningBroker | undefined
  readonly kafka: KafkaAccess
  readonly consumers: ConsumerInstances
  readonly metrics: MetricsView
  readonly logger: Logger
}

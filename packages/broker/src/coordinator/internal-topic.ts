// A coordinator's internal topic (`__consumer_offsets`, `__transaction_state`): compacted, created
// once with the configured partition count (a single broker caps the replication factor at 1; a
// cluster at the brokers registered at creation, as Kafka did). An existing topic wins: its
// partition count decides which partition owns which key.
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import type { Logger } from '@brook/common'
import type { ReplicaManager, TopicState } from '../partition/replica-manager.js'
import type { CoordinatorLog } from './log.js'
import { PartitionCoordinatorLog } from './partition-log.js'

export interface InternalTopicSpec {
  name: string
  partitions: number
  segmentBytes: number
  compressionType: string
  /** Cluster mode: the configured replication factor (capped by the brokers registered) and extra configs. */
  replicationFactor?: number
  configs?: Record<string, string>
}

/** Creates the topic unless it exists; resolves once this broker has it. */
export async function ensureInternalTopic (replicas: ReplicaManager, spec: InternalTopicSpec): Promise<TopicState> {
  const existing = replicas.topic(spec.name)
  if (existing !== undefined) return existing
  try {
    await replicas.createTopic({
      name: spec.name,
      numPartitions: spec.partitions,
      replicationFactor: spec.replicationFactor ?? 1,
      configs: {
        'cleanup.policy': 'compact',
        'segment.bytes': String(spec.segmentBytes),
        'compression.type': spec.compressionType,
        ...spec.configs
      },
      validateOnly: false
    })
  } catch (err) {
    // Another caller created it first.
    if (!(err instanceof KafkaError && err.code === ErrorCode.TOPIC_ALREADY_EXISTS)) throw err
  }
  const created = replicas.topic(spec.name)
  if (created === undefined) throw new Error(`${spec.name} could not be created`)
  return created
}

/**
 * A coordinator runtime's openLog over its internal topic, created on first use: the first
 * partition opened creates the topic, and every other waits for that same creation. Once the
 * topic was deleted, the next open creates it again (Kafka's coordinator creates it again on the
 * next FindCoordinator), with the same partition count, so every key keeps its partition. Each log
 * knows it is retired once its partition is no longer the broker's partition of that name.
 */
export function internalTopicLogs (replicas: ReplicaManager, spec: InternalTopicSpec, logger: Logger): (partition: number) => Promise<CoordinatorLog> {
  let topic: Promise<TopicState> | undefined
  let created: TopicState | undefined
  return async (p) => {
    if (created !== undefined && replicas.topic(spec.name) !== created) {
      topic = undefined
      created = undefined
    }
    topic ??= ensureInternalTopic(replicas, spec).then((state) => {
      created = state
      return state
    }, (err: unknown) => {
      // The next open tries again.
      topic = undefined
      throw err
    })
    await topic
    const partition = replicas.partition(spec.name, p)
    if (partition === undefined) throw new Error(`${spec.name}-${p} does not exist`)
    return new PartitionCoordinatorLog(partition, (offset, err) => {
      logger.warn({ partition: p, offset, err }, `skipping an unreadable batch of ${spec.name}-${p}`)
    }, () => replicas.partition(spec.name, p) === partition)
  }
}

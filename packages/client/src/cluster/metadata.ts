// The client's view of the cluster from the last Metadata answer: brokers, and per topic its
// partitions' leaders. Immutable snapshots; a refresh replaces the whole snapshot.
import type { MetadataResponse } from '@brook/protocol'

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

export interface BrokerAddress { nodeId: number, host: string, port: number, rack: string | null }

export interface PartitionMetadata {
  partition: number
  leader: number
  leaderEpoch: number
  replicas: number[]
  isr: number[]
  errorCode: number
}

export interface TopicMetadata {
  name: string
  topicId: string | null
  isInternal: boolean
  errorCode: number
  partitions: PartitionMetadata[]
}

export class ClusterMetadata {
  readonly clusterId: string | null
  readonly controllerId: number
  readonly brokers: ReadonlyMap<number, BrokerAddress>
  readonly topics: ReadonlyMap<string, TopicMetadata>
  /** The error of each topic this snapshot asked for and the broker refused (no partitions given). */
  readonly topicErrors: ReadonlyMap<string, number>

  /** `previous`: a snapshot to keep the other topics of (for a refresh of some topics only). */
  constructor (response: MetadataResponse, previous?: ClusterMetadata) {
    this.clusterId = response.clusterId ?? null
    this.controllerId = response.controllerId ?? -1
    const brokers = new Map<number, BrokerAddress>()
    for (const b of response.brokers) brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null })
    this.brokers = brokers
    // A refresh for some topics keeps what the previous snapshot knew about the others.
    const topics = new Map<string, TopicMetadata>(previous?.topics ?? [])
    const topicErrors = new Map<string, number>()
    for (const t of response.topics) {
      if (t.name === undefined || t.name === null) continue
      const partitions = t.partitions.map((p) => ({
        partition: p.partitionIndex,
        leader: p.leaderId,
        leaderEpoch: p.leaderEpoch ?? -1,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
        errorCode: p.errorCode
      })).sort((a, b) => a.partition - b.partition)
      const topicId = t.topicId === undefined || t.topicId === ZERO_UUID || t.topicId === '' ? null : t.topicId
      if (t.errorCode !== 0 && partitions.length === 0) {
        topics.delete(t.name)
        topicErrors.set(t.name, t.errorCode)
      } else topics.set(t.name, { name: t.name, topicId, isInternal: t.isInternal ?? false, errorCode: t.errorCode, partitions })
    }
    this.topics = topics
    this.topicErrors = topicErrors
  }

  partitionCount (topic: string): number {
    return this.topics.get(topic)?.partitions.length ?? 0
  }

  /**
   * Each topic's id, or null when this snapshot has no id for one of them (a broker before
   * Metadata v10, or a topic it does not know): requests then name topics.
   */
  topicIds (topics: Iterable<string>): Map<string, string> | null {
    const out = new Map<string, string>()
    for (const t of topics) {
      const id = this.topics.get(t)?.topicId
      if (id == null) return null
      out.set(t, id)
    }
    return out
  }

  leaderOf (topic: string, partition: number): number {
    return this.topics.get(topic)?.partitions[partition]?.leader ?? -1
  }
}

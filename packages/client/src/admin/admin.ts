// Admin operations: topics (create, delete, list, describe, add partitions), configs (describe,
// incremental alter), records (delete up to an offset), consumer groups (list, describe, delete,
// list and alter committed offsets), SCRAM credentials, client quotas, ACLs, share groups and the cluster (describe,
// leader elections, partition reassignments, log dirs of every broker). Topic and config requests go to
// the controller when the metadata names one (any broker otherwise: KRaft brokers forward);
// group requests go to the group's coordinator.
import {
  createPartitionsApi, createTopicsApi, deleteGroupsApi, deleteRecordsApi, deleteTopicsApi, describeClusterApi,
  describeConfigsApi, describeGroupsApi, ErrorCode, incrementalAlterConfigsApi, listGroupsApi
} from '@brook/protocol'
import { Cluster, type ClientOptions, CoordinatorType } from '../cluster/cluster.js'
import type { TopicMetadata } from '../cluster/metadata.js'
import type { Connection } from '../connection/connection.js'
import { kafkaError } from '../errors/kafka-errors.js'
import { withRetry } from '../errors/retry.js'
import { decodeAssignment, decodeSubscription } from '../consumer/group.js'
import type { TopicPartitions } from '../consumer/assignors.js'
import { type AclBinding, type AclDescription, type AclFilter, createAcls, deleteAcls, describeAcls } from './acls.js'
import {
  alterShareGroupOffsets, deleteShareGroupOffsets, describeShareGroupOffsets, describeShareGroups, type ShareGroupDescription, type ShareGroupOffset
} from './share-groups.js'
import {
  alterClientQuotas, describeClientQuotas, type ClientQuotaAlteration, type ClientQuotaDescription, type ClientQuotaFilterComponent
} from './client-quotas.js'
import { alterScramCredentials, describeScramCredentials, type ScramCredentialDeletion, type ScramCredentialDescription, type ScramCredentialUpsertion } from './scram-credentials.js'
import { electLeaders, type ElectionResult, type ElectionTypeName } from './leader-elections.js'
import {
  alterPartitionReassignments, listPartitionReassignments, type OngoingReassignment, type PartitionReassignment, type ReassignmentResult
} from './reassignments.js'
import { describeLogDirs, type LogDirDescription } from './log-dirs.js'
import { commitOffsets, EARLIEST, fetchCommitted, LATEST, listOffsets, type TopicPartitionOffset, tpKey } from '../consumer/offsets.js'

export interface NewTopic {
  topic: string
  /** Default -1: the broker's num.partitions. */
  numPartitions?: number
  /** Default -1: the broker's default.replication.factor. */
  replicationFactor?: number
  configs?: Record<string, string>
}

/** Kafka's ConfigResource types; GROUP holds a group's configs (share groups' settings among them). */
export const ConfigResourceType = { Topic: 2, Broker: 4, ClientMetrics: 16, Group: 32 } as const
export type ConfigResourceType = typeof ConfigResourceType[keyof typeof ConfigResourceType]
export type ConfigOperation = 'set' | 'delete' | 'append' | 'subtract'
const configOps: Record<ConfigOperation, number> = { set: 0, delete: 1, append: 2, subtract: 3 }

export interface ConfigEntry { name: string, value: string | null, readOnly: boolean, isDefault: boolean, isSensitive: boolean, source: number }

export interface GroupDescription {
  groupId: string
  state: string
  protocolType: string
  protocol: string
  members: Array<{ memberId: string, groupInstanceId: string | null, clientId: string, clientHost: string, topics: string[], assignment: TopicPartitions[] }>
}

export interface ListedGroup {
  groupId: string
  protocolType: string
  state: string | null
  /** classic, consumer or share (null from a broker older than ListGroups v5). */
  type: string | null
}

export class Admin {
  readonly cluster: Cluster
  private readonly timeoutMs = 30_000

  constructor (client: ClientOptions) {
    this.cluster = new Cluster(client)
  }

  private async controller (): Promise<Connection> {
    const meta = this.cluster.metadata ?? await this.cluster.refreshMetadata()
    return meta.controllerId >= 0 && meta.brokers.has(meta.controllerId) ? await this.cluster.broker(meta.controllerId) : await this.cluster.any()
  }

  async createTopics (topics: NewTopic[], options: { validateOnly?: boolean } = {}): Promise<void> {
    const connection = await this.controller()
    const r = await connection.request(createTopicsApi, {
      topics: topics.map((t) => ({
        name: t.topic,
        numPartitions: t.numPartitions ?? -1,
        replicationFactor: t.replicationFactor ?? -1,
        assignments: [],
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value }))
      })),
      timeoutMs: this.timeoutMs,
      validateOnly: options.validateOnly ?? false
    })
    for (const t of r.topics) if (t.errorCode !== ErrorCode.NONE) throw kafkaError(t.errorCode, t.errorMessage ?? `create topic ${t.name}`)
  }

  async deleteTopics (topics: string[]): Promise<void> {
    const connection = await this.controller()
    const version = connection.versionFor(deleteTopicsApi)
    const r = await connection.request(deleteTopicsApi, version >= 6
      ? { topics: topics.map((name) => ({ name, topicId: '00000000-0000-0000-0000-000000000000' })), timeoutMs: this.timeoutMs }
      : { topicNames: topics, timeoutMs: this.timeoutMs }, { version })
    for (const t of r.responses) if (t.errorCode !== ErrorCode.NONE) throw kafkaError(t.errorCode, t.errorMessage ?? `delete topic ${t.name ?? ''}`)
  }

  async listTopics (options: { includeInternal?: boolean } = {}): Promise<string[]> {
    const meta = await this.cluster.refreshMetadata({ all: true })
    return [...meta.topics.values()].filter((t) => options.includeInternal === true || !t.isInternal).map((t) => t.name).sort()
  }

  async describeTopics (topics: string[]): Promise<TopicMetadata[]> {
    const meta = await this.cluster.describe(topics)
    return topics.map((name) => {
      const t = meta.topics.get(name)
      if (t === undefined) throw kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name}`)
      return t
    })
  }

  /** Raises a topic's partition count to `count`. */
  async createPartitions (topics: Array<{ topic: string, count: number }>): Promise<void> {
    const connection = await this.controller()
    const r = await connection.request(createPartitionsApi, {
      topics: topics.map((t) => ({ name: t.topic, count: t.count, assignments: null })), timeoutMs: this.timeoutMs, validateOnly: false
    })
    for (const t of r.results) if (t.errorCode !== ErrorCode.NONE) throw kafkaError(t.errorCode, t.errorMessage ?? `create partitions ${t.name}`)
  }

  async describeConfigs (resource: { type: ConfigResourceType, name: string, keys?: string[] }): Promise<ConfigEntry[]> {
    const connection = resource.type === ConfigResourceType.Broker ? await this.cluster.broker(Number(resource.name)) : await this.controller()
    const r = await connection.request(describeConfigsApi, {
      resources: [{ resourceType: resource.type, resourceName: resource.name, configurationKeys: resource.keys ?? null }],
      includeSynonyms: false,
      includeDocumentation: false
    })
    const result = r.results[0]
    if (result === undefined) throw kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'DescribeConfigs answered no resource')
    if (result.errorCode !== ErrorCode.NONE) throw kafkaError(result.errorCode, result.errorMessage ?? `describe configs ${resource.name}`)
    return result.configs.map((c) => ({
      name: c.name, value: c.value ?? null, readOnly: c.readOnly, isDefault: c.configSource === undefined ? (c.isDefault ?? false) : c.configSource === 5, isSensitive: c.isSensitive, source: c.configSource ?? -1
    }))
  }

  /** IncrementalAlterConfigs: set, delete, append or subtract single config entries. */
  async alterConfigs (resource: { type: ConfigResourceType, name: string }, changes: Array<{ name: string, value?: string | null, op?: ConfigOperation }>): Promise<void> {
    const connection = resource.type === ConfigResourceType.Broker ? await this.cluster.broker(Number(resource.name)) : await this.controller()
    const r = await connection.request(incrementalAlterConfigsApi, {
      resources: [{
        resourceType: resource.type,
        resourceName: resource.name,
        configs: changes.map((c) => ({ name: c.name, configOperation: configOps[c.op ?? 'set'], value: c.value ?? null }))
      }],
      validateOnly: false
    })
    for (const x of r.responses) if (x.errorCode !== ErrorCode.NONE) throw kafkaError(x.errorCode, x.errorMessage ?? `alter configs ${x.resourceName}`)
  }

  /** Deletes records before `offset` (-1n: up to the high watermark); returns each partition's new log start. */
  async deleteRecords (topic: string, partitions: Array<{ partition: number, offset: bigint }>): Promise<Map<number, bigint>> {
    const meta = await this.cluster.metadataFor([topic])
    const byLeader = new Map<number, typeof partitions>()
    for (const p of partitions) {
      const leader = meta.leaderOf(topic, p.partition)
      let list = byLeader.get(leader)
      if (list === undefined) { list = []; byLeader.set(leader, list) }
      list.push(p)
    }
    const out = new Map<number, bigint>()
    for (const [leader, list] of byLeader) {
      const connection = await this.cluster.broker(leader)
      const r = await connection.request(deleteRecordsApi, {
        topics: [{ name: topic, partitions: list.map((p) => ({ partitionIndex: p.partition, offset: p.offset })) }], timeoutMs: this.timeoutMs
      })
      for (const t of r.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE) throw kafkaError(p.errorCode, `delete records ${t.name}-${p.partitionIndex}`)
          out.set(p.partitionIndex, p.lowWatermark)
        }
      }
    }
    return out
  }

  /** Earliest, latest or by-timestamp offsets of a topic's partitions. */
  async fetchTopicOffsets (topic: string, at: 'earliest' | 'latest' | { timestamp: number | bigint } = 'latest'): Promise<Array<{ partition: number, offset: bigint }>> {
    const meta = await this.cluster.metadataFor([topic])
    const count = meta.partitionCount(topic)
    if (count === 0) throw kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic}`)
    const timestamp = at === 'earliest' ? EARLIEST : at === 'latest' ? LATEST : BigInt(at.timestamp)
    const wanted = Array.from({ length: count }, (_, partition) => ({ topic, partition, timestamp }))
    const found = await listOffsets(this.cluster, wanted)
    return wanted.map((w) => ({ partition: w.partition, offset: found.get(tpKey(topic, w.partition)) ?? -1n }))
  }

  /**
   * Every group any broker knows, merged; `types` (classic, consumer, share) and `states` filter
   * on the broker (ListGroups v5 and v4; an older broker ignores them). `type` is null before v5.
   */
  async listGroups (options: { types?: string[], states?: string[] } = {}): Promise<ListedGroup[]> {
    const meta = await this.cluster.refreshMetadata()
    const seen = new Map<string, ListedGroup>()
    const types = options.types ?? []
    const states = options.states ?? []
    for (const nodeId of meta.brokers.keys()) {
      const connection = await this.cluster.broker(nodeId)
      const r = await connection.request(listGroupsApi, { statesFilter: states, typesFilter: types })
      if (r.errorCode !== ErrorCode.NONE) throw kafkaError(r.errorCode, 'ListGroups')
      for (const g of r.groups) {
        const type = g.groupType ?? null
        // A broker too old for the filters answers every group: filter here what it could not.
        if (types.length > 0 && type !== null && !types.some((t) => t.toLowerCase() === type.toLowerCase())) continue
        seen.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState ?? null, type })
      }
    }
    return [...seen.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : 1))
  }

  async describeGroups (groupIds: string[]): Promise<GroupDescription[]> {
    const out: GroupDescription[] = []
    for (const groupId of groupIds) {
      const r = await this.cluster.toCoordinator(groupId, CoordinatorType.Group, describeGroupsApi,
        () => ({ groups: [groupId], includeAuthorizedOperations: false }),
        (res) => { const g = res.groups[0]; if (g !== undefined && g.errorCode !== ErrorCode.NONE) throw kafkaError(g.errorCode, `describe group ${groupId}`) })
      const g = r.groups[0]!
      out.push({
        groupId: g.groupId,
        state: g.groupState,
        protocolType: g.protocolType,
        protocol: g.protocolData,
        members: g.members.map((m) => {
          const consumer = g.protocolType === 'consumer'
          return {
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId ?? null,
            clientId: m.clientId,
            clientHost: m.clientHost,
            topics: consumer && m.memberMetadata.length > 0 ? decodeSubscription(m.memberMetadata).topics : [],
            assignment: consumer ? decodeAssignment(m.memberAssignment) : []
          }
        })
      })
    }
    return out
  }

  async deleteGroups (groupIds: string[]): Promise<void> {
    for (const groupId of groupIds) {
      await this.cluster.toCoordinator(groupId, CoordinatorType.Group, deleteGroupsApi,
        () => ({ groupsNames: [groupId] }),
        (res) => { for (const x of res.results) if (x.errorCode !== ErrorCode.NONE) throw kafkaError(x.errorCode, `delete group ${x.groupId}`) })
    }
  }

  /** A group's committed offsets (all topics, or the given ones). */
  async listGroupOffsets (groupId: string, partitions?: Array<{ topic: string, partition: number }>): Promise<TopicPartitionOffset[]> {
    const found = await fetchCommitted(this.cluster, groupId, partitions ?? null)
    return [...found.values()].map(({ topic, partition, offset }) => ({ topic, partition, offset })).sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
  }

  /** Sets a group's committed offsets (the group must have no active members, as in Kafka's tools). */
  async alterGroupOffsets (groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    await commitOffsets(this.cluster, groupId, offsets, { generationId: -1, memberId: '', groupInstanceId: null })
  }

  async describeCluster (): Promise<{ clusterId: string | null, controllerId: number, brokers: Array<{ nodeId: number, host: string, port: number, rack: string | null }> }> {
    return await withRetry(async () => {
      const connection = await this.cluster.any()
      if (connection.brokerVersions.has(describeClusterApi.key)) {
        const r = await connection.request(describeClusterApi, { includeClusterAuthorizedOperations: false, endpointType: 1 })
        if (r.errorCode !== ErrorCode.NONE) throw kafkaError(r.errorCode, r.errorMessage)
        return { clusterId: r.clusterId, controllerId: r.controllerId, brokers: r.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack ?? null })) }
      }
      const meta = await this.cluster.refreshMetadata()
      return { clusterId: meta.clusterId, controllerId: meta.controllerId, brokers: [...meta.brokers.values()] }
    }, this.cluster.retry)
  }

  /**
   * Leader elections (ElectLeaders), sent to the controller; no partitions means every partition
   * (then only the partitions that needed an election are in the results). NOT_CONTROLLER at the
   * top level is retried with fresh metadata.
   */
  async electLeaders (type: ElectionTypeName, partitions?: Array<{ topic: string, partitions: number[] }>): Promise<ElectionResult[]> {
    return await withRetry(async () => await electLeaders(await this.controller(), type, partitions ?? null, this.timeoutMs),
      { ...this.cluster.retry, beforeRetry: async () => { await this.cluster.refreshMetadata() } })
  }

  /**
   * Starts, replaces or cancels (null replicas) partition reassignments, sent to the controller;
   * NOT_CONTROLLER at the top level is retried with fresh metadata.
   */
  async alterPartitionReassignments (reassignments: PartitionReassignment[]): Promise<ReassignmentResult[]> {
    return await withRetry(async () => await alterPartitionReassignments(await this.controller(), reassignments, this.timeoutMs),
      { ...this.cluster.retry, beforeRetry: async () => { await this.cluster.refreshMetadata() } })
  }

  /** The ongoing reassignments: every one, or those of the partitions named. */
  async listPartitionReassignments (partitions?: Array<{ topic: string, partitions: number[] }>): Promise<OngoingReassignment[]> {
    return await listPartitionReassignments(await this.controller(), partitions ?? null, this.timeoutMs)
  }

  /**
   * Every log dir of the brokers named (all brokers by default), with the replicas in it: every
   * replica, or those of the partitions named. Each broker answers for its own dirs.
   */
  async describeLogDirs (options: { brokers?: number[], partitions?: Array<{ topic: string, partitions: number[] }> } = {}): Promise<LogDirDescription[]> {
    const brokers = options.brokers ?? (await this.describeCluster()).brokers.map((b) => b.nodeId).sort((a, b) => a - b)
    const answers = await Promise.all(brokers.map(async (id) => await describeLogDirs(await this.cluster.broker(id), id, options.partitions ?? null)))
    return answers.flat()
  }

  /** Creates or replaces SCRAM credentials (the password is salted here) and deletes others. */
  async alterScramCredentials (changes: { upsert?: ScramCredentialUpsertion[], delete?: ScramCredentialDeletion[] }): Promise<void> {
    await alterScramCredentials(await this.controller(), changes.upsert ?? [], changes.delete ?? [])
  }

  /** Users' SCRAM mechanisms and iteration counts: all users, or the ones named. */
  async describeScramCredentials (users?: string[]): Promise<ScramCredentialDescription[]> {
    return await describeScramCredentials(await this.cluster.any(), users)
  }

  /** Share groups' state, epochs and members with their assignments (a missing group: GROUP_ID_NOT_FOUND). */
  async describeShareGroups (groupIds: string[]): Promise<ShareGroupDescription[]> {
    return await describeShareGroups(this.cluster, groupIds)
  }

  /** A share group's start offsets and lag per share-partition (all of them, or those of `topics`). */
  async describeShareGroupOffsets (groupId: string, topics?: Array<{ topic: string, partitions: number[] }>): Promise<ShareGroupOffset[]> {
    return await describeShareGroupOffsets(this.cluster, groupId, topics)
  }

  /** Resets share-partition start offsets (the group must have no members). */
  async alterShareGroupOffsets (groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    await alterShareGroupOffsets(this.cluster, groupId, offsets)
  }

  /** Drops a share group's state for whole topics (the group must have no members). */
  async deleteShareGroupOffsets (groupId: string, topics: string[]): Promise<void> {
    await deleteShareGroupOffsets(this.cluster, groupId, topics)
  }

  /** Creates ACL bindings (through the controller, as Kafka's admin does). */
  async createAcls (bindings: AclBinding[]): Promise<void> {
    await createAcls(await this.controller(), bindings)
  }

  /** The ACL bindings that match `filter` (every binding when it is empty). */
  async describeAcls (filter: AclFilter = {}): Promise<AclDescription[]> {
    return await describeAcls(await this.cluster.any(), filter)
  }

  /** Deletes the ACL bindings the filters match and returns what was deleted. */
  async deleteAcls (filters: AclFilter[]): Promise<AclDescription[]> {
    return await deleteAcls(await this.controller(), filters)
  }

  /** Sets or removes client quotas (through the controller, as Kafka's admin does). */
  async alterClientQuotas (alterations: ClientQuotaAlteration[], options: { validateOnly?: boolean } = {}): Promise<void> {
    await alterClientQuotas(await this.controller(), alterations, options.validateOnly ?? false)
  }

  /** The quota entities matching every filter component (all of them for an empty filter). */
  async describeClientQuotas (components: ClientQuotaFilterComponent[] = [], options: { strict?: boolean } = {}): Promise<ClientQuotaDescription[]> {
    return await describeClientQuotas(await this.cluster.any(), components, options.strict ?? false)
  }

  async close (): Promise<void> {
    await this.cluster.close()
  }
}

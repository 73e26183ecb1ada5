// Share groups in one broker (KIP-932): the share group coordinator (membership, assignment), the
// share-partitions with their in-flight records, the share sessions, and the share coordinator
// keeping every share-partition's state durable in `__share_group_state`. ShareFetch and
// ShareAcknowledge are served by ./fetch.ts over these.
import type { Logger } from '@brook/common'
import { ErrorCode } from '@brook/protocol'
import type { BrokerConfig } from '../config/broker-config.js'
import type { CoordinatorLog } from '../coordinator/log.js'
import type { GroupConfigs } from '../group/group-configs.js'
import type { ReplicaManager } from '../partition/replica-manager.js'
import type { FetchPurgatory } from '../purgatory/delayed-fetch.js'
import { type ShareSettings, shareSettings } from './config.js'
import { DeadLetterWriter } from './dlq/writer.js'
import { ShareGroupCoordinator } from './group/coordinator.js'
import { SharePartitions } from './partitions.js'
import { ShareSessions } from './session.js'
import { ShareStateStore } from './state/store.js'

export interface ShareServiceDeps {
  config: BrokerConfig
  replicas: ReplicaManager
  purgatory: FetchPurgatory
  /** The group coordinator's per-group configs (share.* group configs live there too). */
  groupConfigs?: GroupConfigs
  /** Whether a consumer or classic group uses the id. */
  isOtherGroup: (groupId: string) => boolean
  openStateLog: (partition: number) => Promise<CoordinatorLog>
  stateTopicPartitions: number
  logger: Logger
}

/** Share sessions one broker keeps at most (Kafka's group.share.max.share.sessions default). */
const MAX_SHARE_SESSIONS = 2000

export class ShareService {
  readonly store: ShareStateStore
  readonly partitions: SharePartitions
  readonly sessions = new ShareSessions(MAX_SHARE_SESSIONS)
  readonly coordinator: ShareGroupCoordinator
  readonly replicas: ReplicaManager
  readonly purgatory: FetchPurgatory
  readonly logger: Logger
  readonly #deps: ShareServiceDeps

  constructor (deps: ShareServiceDeps) {
    this.#deps = deps
    this.replicas = deps.replicas
    this.purgatory = deps.purgatory
    this.logger = deps.logger
    this.store = new ShareStateStore({ numPartitions: deps.stateTopicPartitions, openLog: deps.openStateLog, logger: deps.logger })
    this.partitions = new SharePartitions({
      replicas: deps.replicas,
      store: this.store,
      purgatory: deps.purgatory,
      settings: (groupId) => this.settings(groupId),
      deadLetters: new DeadLetterWriter(deps.replicas, deps.config, deps.logger),
      logger: deps.logger
    })
    const asTopic = (t: { name: string, id: string, partitions: number } | undefined): { name: string, id: string, partitions: number } | undefined =>
      t === undefined ? undefined : { name: t.name, id: t.id, partitions: t.partitions }
    this.coordinator = new ShareGroupCoordinator({
      topicByName: (name) => asTopic(deps.replicas.topic(name)?.info),
      topicById: (id) => asTopic(deps.replicas.topicById(id)?.info),
      settings: (groupId) => this.settings(groupId),
      maxGroupSize: deps.config.int('group.share.max.size'),
      onMemberGone: (groupId, memberId) => {
        this.sessions.dropMember(groupId, memberId)
        void this.partitions.releaseMember(groupId, memberId)
      },
      isOtherGroup: deps.isOtherGroup,
      knownGroups: () => this.store.groupIds(),
      logger: deps.logger
    })
  }

  settings (groupId: string): ShareSettings {
    return shareSettings(this.#deps.config, this.#deps.groupConfigs, groupId)
  }

  /** Whether the id names a share group (with members, or with durable share state). */
  isShareGroup (groupId: string): boolean {
    return this.coordinator.groups.has(groupId) || this.store.partitionsOf(groupId).length > 0
  }

  /** ListGroups' share groups, filtered by state (case-insensitive) as Kafka does. */
  listGroups (statesFilter: readonly string[]): Array<{ groupId: string, protocolType: string, groupState: string, groupType: string }> {
    const states = new Set(statesFilter.map((s) => s.toLowerCase()))
    return this.coordinator.listGroups()
      .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()))
      .map((g) => ({ groupId: g.groupId, protocolType: 'share', groupState: g.state, groupType: 'share' }))
  }

  /** DeleteGroups for a share group: NON_EMPTY_GROUP with members; else its share state is deleted. */
  async deleteGroup (groupId: string): Promise<number> {
    if (!this.coordinator.deleteGroup(groupId)) return ErrorCode.NON_EMPTY_GROUP
    await this.partitions.dropGroup(groupId)
    await Promise.all(this.store.partitionsOf(groupId).map(async (key) => { await this.store.delete(key) }))
    // A deleted group's configs go with it, as in Kafka.
    await this.#deps.groupConfigs?.remove(groupId)
    return ErrorCode.NONE
  }

  close (): void {
    this.coordinator.close()
    this.partitions.close()
    this.store.close()
  }
}

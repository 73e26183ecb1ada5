// Consumer-group membership with the KIP-848 protocol (group.protocol=consumer): the broker
// assigns partitions, and one ConsumerGroupHeartbeat carries the member's subscription and the
// partitions it owns one way, its epoch and target assignment the other.
// Heartbeats run on a timer at the interval the broker asks for; one that brings a new target
// only records it and sets needsRejoin, so that the consumer reconciles between batches:
// partitions leaving the target are revoked first (their offsets committed), the new ones
// added, and a heartbeat sent at once to tell the broker what is owned now (the broker hands a
// partition to its next owner only after the previous one has reported giving it up).
// A fenced or unknown member loses its partitions without committing and joins again at epoch 0.
import { randomBytes } from 'node:crypto'
import { consumerGroupHeartbeatApi, type ConsumerGroupHeartbeatResponse, ErrorCode } from '@brook/protocol'
import { type Cluster, CoordinatorType } from '../cluster/cluster.js'
import type { ClusterMetadata } from '../cluster/metadata.js'
import { kafkaError, KafkaError } from '../errors/kafka-errors.js'
import type { TopicPartitions } from './assignors.js'
import type { GroupHooks, GroupSession, Subscription } from './group-session.js'

export interface ConsumerProtocolOptions {
  rebalanceTimeoutMs: number
  /** group.remote.assignor: the broker-side assignor to ask for; null lets the broker choose. */
  remoteAssignor: string | null
  groupInstanceId: string | null
}

/** Epoch to send when leaving: -1, or -2 for a static member that will come back. */
const LEAVE_EPOCH = -1
const STATIC_LEAVE_EPOCH = -2
/** Until the broker says otherwise. */
const FIRST_HEARTBEAT_INTERVAL_MS = 1_000
const RETRY_BACKOFF_MS = 200

/** Kafka's member ids are random UUIDs in URL-safe base64 (22 characters). */
function newMemberId (): string {
  return randomBytes(16).toString('base64url')
}

function topicName (meta: ClusterMetadata, topicId: string): string | undefined {
  for (const t of meta.topics.values()) if (t.topicId === topicId) return t.name
  return undefined
}

function partitionKeys (list: TopicPartitions[]): Set<string> {
  const out = new Set<string>()
  for (const tp of list) for (const p of tp.partitions) out.add(`${tp.topic}\u0000${p}`)
  return out
}

function minus (a: TopicPartitions[], b: TopicPartitions[]): TopicPartitions[] {
  const drop = partitionKeys(b)
  return a.map((tp) => ({ topic: tp.topic, partitions: tp.partitions.filter((p) => !drop.has(`${tp.topic}\u0000${p}`)) })).filter((tp) => tp.partitions.length > 0)
}

export class ConsumerProtocolMembership implements GroupSession {
  memberId = newMemberId()
  /** The member epoch: what OffsetCommit carries as generationIdOrMemberEpoch. */
  generationId = 0
  owned: TopicPartitions[] = []
  needsRejoin = true
  private subscription: Subscription = { topics: [], pattern: null }
  /** The last assignment the broker sent (by topic id), not yet reconciled. */
  private target: Array<{ topicId: string, partitions: number[] }> | null = null
  private intervalMs = FIRST_HEARTBEAT_INTERVAL_MS
  private timer: NodeJS.Timeout | null = null
  private inFlight: Promise<void> = Promise.resolve()
  private stopped = false

  constructor (
    private readonly cluster: Cluster,
    readonly groupId: string,
    private readonly options: ConsumerProtocolOptions,
    private readonly hooks: GroupHooks
  ) {}

  /** Joins when needed, then applies the latest target assignment. */
  async rebalance (subscription: Subscription): Promise<void> {
    this.subscription = { topics: [...subscription.topics], pattern: subscription.pattern }
    this.needsRejoin = false
    for (;;) {
      await this.heartbeatNow()
      if (this.generationId > 0 && this.target === null) break
      if (this.target !== null && await this.reconcile()) continue
      if (this.generationId > 0) break
      await new Promise((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS))
    }
    this.schedule()
  }

  async refresh (): Promise<void> {
    await this.heartbeatNow()
  }

  async leave (): Promise<void> {
    this.stopped = true
    this.cancelTimer()
    await this.inFlight
    if (this.generationId <= 0) return
    const epoch = this.options.groupInstanceId === null ? LEAVE_EPOCH : STATIC_LEAVE_EPOCH
    const coordinator = await this.cluster.coordinator(this.groupId, CoordinatorType.Group)
    const r = await coordinator.request(consumerGroupHeartbeatApi, {
      groupId: this.groupId, memberId: this.memberId, memberEpoch: epoch, instanceId: this.options.groupInstanceId, rebalanceTimeoutMs: -1
    })
    if (r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.UNKNOWN_MEMBER_ID && r.errorCode !== ErrorCode.FENCED_MEMBER_EPOCH) {
      throw kafkaError(r.errorCode, `ConsumerGroupHeartbeat (leave) ${this.groupId}`)
    }
    this.generationId = 0
  }

  /**
   * Applies the pending target: revoke, then assign. Returns true when the owned set changed
   * (the broker must hear about it at once).
   */
  private async reconcile (): Promise<boolean> {
    const target = this.target
    if (target === null) return false
    const named = await this.namesOf(target)
    if (named === null) return false // a topic id metadata does not know yet: retry on the next heartbeat
    this.target = null
    const revoked = minus(this.owned, named)
    const added = minus(named, this.owned)
    if (revoked.length > 0) {
      await this.hooks.onRevoke(revoked)
      this.owned = minus(this.owned, revoked)
    }
    if (added.length > 0) {
      this.owned = named
      await this.hooks.onAssign(added)
    }
    return revoked.length > 0 || added.length > 0
  }

  private async namesOf (assignment: Array<{ topicId: string, partitions: number[] }>): Promise<TopicPartitions[] | null> {
    if (assignment.length === 0) return []
    // A pattern's topics are known only to the broker: map ids over every topic then.
    const all = this.subscription.pattern !== null
    let meta = all ? await this.cluster.refreshMetadata({ all: true }) : await this.cluster.metadataFor(this.subscription.topics)
    if (assignment.some((a) => topicName(meta, a.topicId) === undefined)) meta = await this.cluster.refreshMetadata({ all })
    const out: TopicPartitions[] = []
    for (const a of assignment) {
      const topic = topicName(meta, a.topicId)
      if (topic === undefined) return null
      out.push({ topic, partitions: [...a.partitions].sort((x, y) => x - y) })
    }
    return out
  }

  private async ownedByIds (): Promise<Array<{ topicId: string, partitions: number[] }>> {
    if (this.owned.length === 0) return []
    const meta = await this.cluster.metadataFor(this.owned.map((tp) => tp.topic))
    return this.owned.flatMap((tp) => {
      const id = meta.topics.get(tp.topic)?.topicId
      return id == null ? [] : [{ topicId: id, partitions: tp.partitions }]
    })
  }

  /** One heartbeat, after any in flight (the timer's and the consumer's never overlap). */
  private async heartbeatNow (): Promise<void> {
    const run = this.inFlight.then(async () => { await this.heartbeat() })
    this.inFlight = run.catch(() => {})
    await run
  }

  private async heartbeat (): Promise<void> {
    let response: ConsumerGroupHeartbeatResponse
    try {
      const coordinator = await this.cluster.coordinator(this.groupId, CoordinatorType.Group)
      response = await coordinator.request(consumerGroupHeartbeatApi, {
        groupId: this.groupId,
        memberId: this.memberId,
        memberEpoch: this.generationId,
        instanceId: this.options.groupInstanceId,
        rackId: null,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
        subscribedTopicNames: this.subscription.topics,
        subscribedTopicRegex: this.subscription.pattern,
        serverAssignor: this.options.remoteAssignor,
        topicPartitions: await this.ownedByIds()
      })
    } catch (err) {
      if (err instanceof KafkaError && !err.retriable) throw err
      // Connection trouble: the session timeout leaves room for the next tries.
      this.cluster.logger.debug({ err, group: this.groupId }, 'consumer group heartbeat failed')
      this.cluster.forgetCoordinator(this.groupId, CoordinatorType.Group)
      return
    }
    await this.handle(response)
  }

  private async handle (r: ConsumerGroupHeartbeatResponse): Promise<void> {
    switch (r.errorCode) {
      case ErrorCode.NONE:
        if (r.memberId != null && r.memberId !== '') this.memberId = r.memberId
        this.generationId = r.memberEpoch
        if (r.heartbeatIntervalMs > 0) this.intervalMs = r.heartbeatIntervalMs
        if (r.assignment != null) {
          this.target = r.assignment.topicPartitions.map((tp) => ({ topicId: tp.topicId, partitions: tp.partitions }))
          this.needsRejoin = true
        }
        return
      case ErrorCode.FENCED_MEMBER_EPOCH:
      case ErrorCode.UNKNOWN_MEMBER_ID:
        // The broker no longer counts these partitions as ours: give them up without committing.
        this.cluster.logger.info({ group: this.groupId, memberId: this.memberId, error: r.errorCode }, 'fenced from the consumer group; joining again')
        if (this.owned.length > 0) await this.hooks.onLost(this.owned)
        this.owned = []
        this.target = null
        this.generationId = 0
        if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = newMemberId()
        this.needsRejoin = true
        return
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
        this.cluster.forgetCoordinator(this.groupId, CoordinatorType.Group)
        return
      default:
        throw kafkaError(r.errorCode, `ConsumerGroupHeartbeat ${this.groupId}${r.errorMessage == null ? '' : `: ${r.errorMessage}`}`)
    }
  }

  private schedule (): void {
    this.cancelTimer()
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.heartbeatNow().then(() => this.schedule(), (err: unknown) => {
        // A fatal answer (authorization, unsupported assignor...) surfaces on the next read.
        this.cluster.logger.warn({ err, group: this.groupId }, 'consumer group heartbeat refused')
        this.needsRejoin = true
      })
    }, this.intervalMs)
  }

  private cancelTimer (): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}

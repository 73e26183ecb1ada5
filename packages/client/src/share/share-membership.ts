// Share-group membership (KIP-932): ShareGroupHeartbeat on a timer at the interval the broker
// asks for. The broker assigns share-partitions; unlike a consumer group there is nothing to
// revoke or commit when the assignment changes (several members may read one partition, and each
// record is acknowledged on its own), so the member only records the latest assignment and the
// consumer fetches from it. Epoch 0 joins, -1 leaves; a fenced or unknown member joins again.
import { randomBytes } from 'node:crypto'
import { ErrorCode, shareGroupHeartbeatApi, type ShareGroupHeartbeatResponse } from '@brook/protocol'
import { type Cluster, CoordinatorType } from '../cluster/cluster.js'
import { kafkaError, KafkaError } from '../errors/kafka-errors.js'

export interface ShareAssignment { topicId: string, partitions: number[] }

const LEAVE_EPOCH = -1
const FIRST_HEARTBEAT_INTERVAL_MS = 1_000
const JOIN_RETRY_MS = 200

/** Kafka's member ids: random UUIDs in URL-safe base64 (the client makes its own from v1). */
function newMemberId (): string {
  return randomBytes(16).toString('base64url')
}

export class ShareMembership {
  memberId = newMemberId()
  memberEpoch = 0
  /** The share-partitions the broker assigned, by topic id (empty until the first assignment). */
  assignment: ShareAssignment[] = []
  private topics: string[] = []
  private subscriptionSent = false
  private intervalMs = FIRST_HEARTBEAT_INTERVAL_MS
  private timer: NodeJS.Timeout | null = null
  private inFlight: Promise<void> = Promise.resolve()
  private stopped = false
  /** A fatal heartbeat answer from the timer, thrown to the next caller of ensureJoined(). */
  private failure: Error | null = null

  constructor (private readonly cluster: Cluster, readonly groupId: string) {}

  subscribe (topics: string[]): void {
    this.topics = [...topics]
    this.subscriptionSent = false
  }

  /** Heartbeats until the member has an epoch, then keeps heartbeating on the timer. */
  async ensureJoined (): Promise<void> {
    if (this.failure !== null) { const f = this.failure; this.failure = null; throw f }
    if (this.memberEpoch > 0 && this.subscriptionSent) return
    while (!this.stopped) {
      await this.heartbeatNow()
      if (this.memberEpoch > 0) break
      await new Promise((resolve) => setTimeout(resolve, JOIN_RETRY_MS))
    }
    this.schedule()
  }

  async leave (): Promise<void> {
    this.stopped = true
    this.cancelTimer()
    await this.inFlight
    if (this.memberEpoch <= 0) return
    const coordinator = await this.cluster.coordinator(this.groupId, CoordinatorType.Group)
    const r = await coordinator.request(shareGroupHeartbeatApi, { groupId: this.groupId, memberId: this.memberId, memberEpoch: LEAVE_EPOCH, rackId: null, subscribedTopicNames: null })
    if (r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.UNKNOWN_MEMBER_ID && r.errorCode !== ErrorCode.FENCED_MEMBER_EPOCH) {
      throw kafkaError(r.errorCode, `ShareGroupHeartbeat (leave) ${this.groupId}`)
    }
    this.memberEpoch = 0
    this.assignment = []
  }

  /** One heartbeat, after any in flight (the timer's and the consumer's never overlap). */
  private async heartbeatNow (): Promise<void> {
    const run = this.inFlight.then(async () => { await this.heartbeat() })
    // The caller awaits `run` and gets its error; the chain only orders the next heartbeat.
    this.inFlight = run.catch(() => {})
    await run
  }

  private async heartbeat (): Promise<void> {
    // The subscription goes with the join and after a change; null means "unchanged".
    const sendTopics = this.memberEpoch === 0 || !this.subscriptionSent
    let response: ShareGroupHeartbeatResponse
    try {
      const coordinator = await this.cluster.coordinator(this.groupId, CoordinatorType.Group)
      response = await coordinator.request(shareGroupHeartbeatApi, {
        groupId: this.groupId,
        memberId: this.memberId,
        memberEpoch: this.memberEpoch,
        rackId: null,
        subscribedTopicNames: sendTopics ? this.topics : null
      })
    } catch (err) {
      if (err instanceof KafkaError && !err.retriable) throw err
      this.cluster.logger.debug({ err, group: this.groupId }, 'share group heartbeat failed')
      this.cluster.forgetCoordinator(this.groupId, CoordinatorType.Group)
      return
    }
    this.handle(response, sendTopics)
  }

  private handle (r: ShareGroupHeartbeatResponse, sentTopics: boolean): void {
    switch (r.errorCode) {
      case ErrorCode.NONE:
        if (r.memberId != null && r.memberId !== '') this.memberId = r.memberId
        this.memberEpoch = r.memberEpoch
        if (sentTopics) this.subscriptionSent = true
        if (r.heartbeatIntervalMs > 0) this.intervalMs = r.heartbeatIntervalMs
        if (r.assignment != null) {
          this.assignment = r.assignment.topicPartitions.map((tp) => ({ topicId: tp.topicId, partitions: [...tp.partitions].sort((a, b) => a - b) }))
        }
        return
      case ErrorCode.FENCED_MEMBER_EPOCH:
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.cluster.logger.info({ group: this.groupId, memberId: this.memberId, error: r.errorCode }, 'fenced from the share group; joining again')
        this.memberEpoch = 0
        this.assignment = []
        if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = newMemberId()
        return
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
        this.cluster.forgetCoordinator(this.groupId, CoordinatorType.Group)
        return
      default:
        throw kafkaError(r.errorCode, `ShareGroupHeartbeat ${this.groupId}${r.errorMessage == null ? '' : `: ${r.errorMessage}`}`)
    }
  }

  private schedule (): void {
    this.cancelTimer()
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.heartbeatNow().then(() => this.schedule(), (err: unknown) => {
        this.cluster.logger.warn({ err, group: this.groupId }, 'share group heartbeat refused')
        this.failure = err instanceof Error ? err : new Error(String(err))
      })
    }, this.intervalMs)
    this.timer.unref()
  }

  private cancelTimer (): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}

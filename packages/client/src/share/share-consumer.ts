// The share consumer (KIP-932, Kafka's KafkaShareConsumer): members of a share group take records
// from the same partitions, each record acquired by one member at a time under the broker's
// acquisition lock, and acknowledged on its own.
//
// poll() sends, per leader, one ShareFetch that carries the acknowledgements made since the last
// one and acquires new records. Acknowledgement modes (share.acknowledgement.mode):
// - implicit (default): the records a poll delivered are accepted by the next poll, commitSync(),
//   commitAsync() or close();
// - explicit: the application acknowledges each record (accept, release, reject) before the next
//   poll; the acknowledgements go with the next poll or commit.
// A released record comes back (to any member) with its delivery count one higher; a rejected one
// never does; one not acknowledged before its lock runs out is released by the broker.
// run({ eachMessage }) accepts a record when the handler returns and releases it when it throws.
import { ErrorCode, shareAcknowledgeApi, shareFetchApi, type ShareFetchResponse } from '@brook/protocol'
import { type Cluster, Cluster as ClusterImpl, type ClientOptions } from '../cluster/cluster.js'
import { IllegalStateError, UnsupportedVersionError } from '../errors/client-errors.js'
import { KafkaError, kafkaError } from '../errors/kafka-errors.js'
import { AckCode, ackCode, type AcknowledgeType, type AcknowledgementResult, toWireBatches } from './acknowledgements.js'
import { DeliveryLedger, type PartitionAcks, type PartitionRef } from './delivery-ledger.js'
import { ShareMembership } from './share-membership.js'
import { decodeShareRecords, type ShareMessage } from './share-records.js'
import { byTopicId, CLOSE_EPOCH, refKey, ShareSession, type SessionPlan } from './share-session.js'

export interface ShareConsumerOptions {
  groupId: string
  /** share.acknowledgement.mode. Default 'implicit'. */
  acknowledgementMode?: 'implicit' | 'explicit'
  /** fetch.max.wait.ms. Default 500. */
  maxWaitMs?: number
  /** fetch.min.bytes. Default 1. */
  minBytes?: number
  /** fetch.max.bytes. Default 52428800. */
  maxBytes?: number
  /** max.poll.records: records one ShareFetch may acquire. Default 500. */
  maxRecords?: number
  /** Called with the outcome of acknowledgements sent by poll(), commitAsync() and close(). */
  onAcknowledgementCommit?: (results: AcknowledgementResult[]) => void
}

export interface ShareBatch { topic: string, partition: number, messages: ShareMessage[] }

export interface ShareEachMessagePayload {
  topic: string
  partition: number
  message: ShareMessage
  /** Explicit mode: acknowledge now instead of the default (accept on return, release on throw). */
  acknowledge: (type: AcknowledgeType) => void
}

export interface ShareRunOptions {
  eachMessage?: (payload: ShareEachMessagePayload) => Promise<void> | void
  /** The batch's records not acknowledged by the handler are accepted on return, released on throw. */
  eachBatch?: (batch: ShareBatch) => Promise<void> | void
}

/** Session errors: the broker forgot the session, or its epoch moved on. */
const SESSION_ERRORS = new Set<number>([ErrorCode.SHARE_SESSION_NOT_FOUND, ErrorCode.INVALID_SHARE_SESSION_EPOCH])

export class ShareConsumer implements AsyncIterable<ShareBatch> {
  readonly cluster: Cluster
  readonly groupId: string
  /** The broker's acquisition lock for the records of the last poll (share.record.lock.duration.ms). */
  acquisitionLockTimeoutMs = -1
  private readonly options: ShareConsumerOptions
  private readonly membership: ShareMembership
  private readonly sessions = new Map<number, ShareSession>()
  private readonly ledger: DeliveryLedger
  private subscribed = false
  private running = false
  private closed = false

  constructor (client: ClientOptions, options: ShareConsumerOptions) {
    if (options.groupId === '') throw new IllegalStateError('a share consumer needs a groupId')
    this.cluster = new ClusterImpl(client)
    this.options = options
    this.groupId = options.groupId
    this.membership = new ShareMembership(this.cluster, options.groupId)
    this.ledger = new DeliveryLedger(options.acknowledgementMode === 'explicit')
  }

  get memberId (): string { return this.membership.memberId }
  get explicit (): boolean { return this.options.acknowledgementMode === 'explicit' }

  subscribe (topics: string[]): void {
    if (topics.length === 0) throw new IllegalStateError('subscribe to at least one topic')
    this.membership.subscribe(topics)
    this.cluster.addInterest(topics)
    this.subscribed = true
  }

  /** Explicit mode: how a record of the last poll was processed (sent with the next poll or commit). */
  acknowledge (message: ShareMessage, type: AcknowledgeType = 'accept'): void {
    if (!this.explicit) throw new IllegalStateError('acknowledge() needs acknowledgementMode \'explicit\'; in implicit mode every delivered record is accepted by the next poll')
    this.ledger.acknowledge(message, ackCode(type))
  }

  private session (leader: number): ShareSession {
    let s = this.sessions.get(leader)
    if (s === undefined) { s = new ShareSession(); this.sessions.set(leader, s) }
    return s
  }

  /** The assigned share-partitions with their names and leaders. */
  private async assigned (): Promise<Array<PartitionRef & { leader: number }>> {
    const assignment = this.membership.assignment
    if (assignment.length === 0) return []
    let meta = this.cluster.metadata
    const nameOf = (id: string): string | undefined => {
      for (const t of meta?.topics.values() ?? []) if (t.topicId === id) return t.name
      return undefined
    }
    if (meta === null || assignment.some((a) => nameOf(a.topicId) === undefined)) meta = await this.cluster.refreshMetadata()
    const out: Array<PartitionRef & { leader: number }> = []
    for (const a of assignment) {
      const topic = nameOf(a.topicId)
      if (topic === undefined) continue // a topic metadata does not know yet: fetched once it does
      for (const partition of a.partitions) out.push({ topicId: a.topicId, topic, partition, leader: meta.leaderOf(topic, partition) })
    }
    return out
  }

  /**
   * Sends the pending acknowledgements and acquires records: one ShareFetch per leader, waiting up
   * to maxWaitMs for records. Returns the records acquired (possibly none).
   */
  async poll (timeoutMs?: number): Promise<ShareMessage[]> {
    if (!this.subscribed) throw new IllegalStateError('call subscribe() before poll()')
    if (this.closed) throw new IllegalStateError('the share consumer is closed')
    this.ledger.settle(true)
    await this.membership.ensureJoined()
    const wanted = (await this.assigned()).filter((r) => r.leader >= 0)
    const leaders = new Set([...wanted.map((r) => r.leader), ...this.ledger.leaders()])
    const maxWaitMs = Math.min(timeoutMs ?? Infinity, this.options.maxWaitMs ?? 500)
    if (leaders.size === 0) {
      // Nothing assigned yet (the group is still assigning): wait a little, as a fetch would.
      await new Promise((resolve) => setTimeout(resolve, Math.min(maxWaitMs, 100)))
      return []
    }
    const results = await Promise.all([...leaders].map(async (leader) => await this.fetchFrom(leader, wanted.filter((r) => r.leader === leader), maxWaitMs)))
    return results.flat()
  }

  private async fetchFrom (leader: number, wanted: PartitionRef[], maxWaitMs: number): Promise<ShareMessage[]> {
    const session = this.session(leader)
    return await session.serial(async () => {
      session.forMember(this.membership.memberId)
      let acks = this.ledger.take(leader)
      if (!session.open && acks.length > 0) {
        // Records acquired under a session the broker no longer has were released when it went.
        this.report(acks.map((a) => this.ackResult(a, kafkaError(ErrorCode.SHARE_SESSION_NOT_FOUND, 'the share session was lost; the records are delivered again'))))
        acks = []
      }
      const plan = session.plan(wanted, acks.map((a) => a.ref))
      const ackByKey = new Map(acks.map((a) => [refKey(a.ref), a]))
      let response: ShareFetchResponse
      try {
        const connection = await this.cluster.broker(leader)
        response = await connection.request(shareFetchApi, {
          groupId: this.groupId,
          memberId: this.membership.memberId,
          shareSessionEpoch: plan.epoch,
          maxWaitMs,
          minBytes: this.options.minBytes ?? 1,
          maxBytes: this.options.maxBytes ?? 52_428_800,
          maxRecords: this.options.maxRecords ?? 500,
          batchSize: this.options.maxRecords ?? 500,
          topics: byTopicId(plan.send, (r) => ({
            partitionIndex: r.partition,
            partitionMaxBytes: this.options.maxBytes ?? 52_428_800,
            acknowledgementBatches: toWireBatches(ackByKey.get(refKey(r))?.acks ?? new Map())
          })),
          forgottenTopicsData: byTopicId(plan.forgotten, (r) => r.partition)
        }, { timeoutMs: maxWaitMs + 30_000 })
      } catch (err) {
        // Whether the broker saw the request is unknown: start a new session (the broker releases
        // the old one's records when it opens) and report the acknowledgements as failed.
        session.reset()
        const error = err instanceof Error ? err : new Error(String(err))
        this.report(acks.map((a) => this.ackResult(a, error)))
        if (err instanceof KafkaError && !err.retriable) throw err
        this.cluster.logger.debug({ err, leader }, 'ShareFetch failed; retrying with a new session')
        return []
      }
      if (response.errorCode !== ErrorCode.NONE) {
        const error = kafkaError(response.errorCode, `ShareFetch ${this.groupId}${response.errorMessage == null ? '' : `: ${response.errorMessage}`}`)
        this.report(acks.map((a) => this.ackResult(a, error)))
        if (SESSION_ERRORS.has(response.errorCode)) { session.reset(); return [] }
        if (error.retriable) { this.cluster.logger.debug({ err: error }, 'ShareFetch refused; retrying'); return [] }
        throw error
      }
      session.answered(plan)
      if (response.acquisitionLockTimeoutMs !== undefined && response.acquisitionLockTimeoutMs > 0) this.acquisitionLockTimeoutMs = response.acquisitionLockTimeoutMs
      return await this.collect(leader, response, ackByKey)
    })
  }

  private async collect (leader: number, response: ShareFetchResponse, acks: Map<string, PartitionAcks>): Promise<ShareMessage[]> {
    const out: ShareMessage[] = []
    const results: AcknowledgementResult[] = []
    for (const t of response.responses) {
      const topic = this.topicName(t.topicId)
      for (const p of t.partitions) {
        const ref: PartitionRef = { topicId: t.topicId, partition: p.partitionIndex, topic: topic ?? t.topicId }
        const a = acks.get(refKey(ref))
        if (a !== undefined) {
          acks.delete(refKey(ref))
          results.push(this.ackResult(a, p.acknowledgeErrorCode === ErrorCode.NONE ? null : kafkaError(p.acknowledgeErrorCode, p.acknowledgeErrorMessage)))
        }
        if (p.errorCode !== ErrorCode.NONE) {
          this.cluster.logger.debug({ topic: ref.topic, partition: ref.partition, error: p.errorCode }, 'ShareFetch partition error')
          continue
        }
        if (p.acquiredRecords.length === 0 || topic === undefined) continue
        const decoded = await decodeShareRecords(topic, p.partitionIndex, p.records, p.acquiredRecords)
        for (const gap of decoded.gaps) this.ledger.add(ref, leader, gap, AckCode.GAP)
        if (decoded.messages.length === 0) continue
        for (const m of decoded.messages) { this.ledger.delivering(ref, leader, m.offset); out.push(m) }
      }
    }
    // A partition the answer did not mention had its acknowledgements applied (no error to report).
    for (const a of acks.values()) results.push(this.ackResult(a, null))
    this.report(results)
    return out
  }

  private topicName (topicId: string): string | undefined {
    for (const t of this.cluster.metadata?.topics.values() ?? []) if (t.topicId === topicId) return t.name
    return undefined
  }

  private ackResult (a: PartitionAcks, error: Error | null): AcknowledgementResult {
    return { topic: a.ref.topic, partition: a.ref.partition, offsets: [...a.acks.keys()], error }
  }

  private report (results: AcknowledgementResult[]): void {
    if (results.length === 0 || this.options.onAcknowledgementCommit === undefined) return
    try {
      this.options.onAcknowledgementCommit(results)
    } catch (err) {
      this.cluster.logger.warn({ err }, 'onAcknowledgementCommit threw')
    }
  }

  /** Sends the acknowledgements made so far (implicit mode: accepts the last poll's records) and waits for the answers. */
  async commitSync (): Promise<AcknowledgementResult[]> {
    this.ledger.settle(false)
    return await this.sendAcknowledgements(false)
  }

  /** As commitSync, without waiting: outcomes go to onAcknowledgementCommit. */
  commitAsync (): void {
    this.ledger.settle(false)
    this.sendAcknowledgements(false).then((results) => this.report(results), (err: unknown) => {
      this.cluster.logger.warn({ err }, 'share acknowledgement commit failed')
    })
  }

  /** ShareAcknowledge per leader with pending acknowledgements (closing: epoch -1 on every open session). */
  private async sendAcknowledgements (closing: boolean): Promise<AcknowledgementResult[]> {
    const leaders = this.ledger.leaders()
    if (closing) for (const [leader, s] of this.sessions) if (s.open) leaders.add(leader)
    const all = await Promise.all([...leaders].map(async (leader) => {
      const session = this.session(leader)
      return await session.serial(async () => {
        session.forMember(this.membership.memberId)
        return await this.acknowledgeAt(leader, session, this.ledger.take(leader), closing ? CLOSE_EPOCH : null, false)
      })
    }))
    return all.flat()
  }

  /**
   * Explicit mode: extends the acquisition lock of records of the last poll still being worked on
   * (RENEW, KIP-1222; ShareAcknowledge v2). They stay to be acknowledged as usual.
   */
  async renewLocks (messages: ShareMessage[]): Promise<AcknowledgementResult[]> {
    if (!this.explicit) throw new IllegalStateError('renewLocks() needs acknowledgementMode \'explicit\'')
    const byLeader = new Map<number, Map<string, PartitionAcks>>()
    for (const m of messages) {
      const d = this.ledger.awaiting(m)
      let leader = byLeader.get(d.leader)
      if (leader === undefined) { leader = new Map(); byLeader.set(d.leader, leader) }
      let p = leader.get(refKey(d.ref))
      if (p === undefined) { p = { ref: d.ref, leader: d.leader, acks: new Map() }; leader.set(refKey(d.ref), p) }
      p.acks.set(m.offset, AckCode.RENEW)
    }
    const all = await Promise.all([...byLeader].map(async ([leader, acks]) => {
      const session = this.session(leader)
      return await session.serial(async () => {
        session.forMember(this.membership.memberId)
        const connection = await this.cluster.broker(leader)
        if (connection.versionFor(shareAcknowledgeApi) < 2) throw new UnsupportedVersionError(`${connection.name} offers no ShareAcknowledge v2: it cannot renew acquisition locks`)
        return await this.acknowledgeAt(leader, session, [...acks.values()], null, true)
      })
    }))
    return all.flat()
  }

  /** One ShareAcknowledge in the session (`epoch`: CLOSE_EPOCH to close it, null for its current one). */
  private async acknowledgeAt (leader: number, session: ShareSession, acks: PartitionAcks[], epoch: number | null, renew: boolean): Promise<AcknowledgementResult[]> {
    if (!session.open) {
      return acks.map((a) => this.ackResult(a, kafkaError(ErrorCode.SHARE_SESSION_NOT_FOUND, 'no share session with this broker; the records are delivered again')))
    }
    // ShareAcknowledge adds no partition to the session: nothing to send or forget in the plan.
    const plan: SessionPlan = { epoch: epoch ?? session.epoch, send: [], forgotten: [] }
    try {
      const connection = await this.cluster.broker(leader)
      const response = await connection.request(shareAcknowledgeApi, {
        groupId: this.groupId,
        memberId: this.membership.memberId,
        shareSessionEpoch: plan.epoch,
        isRenewAck: renew,
        topics: byTopicId(acks.map((a) => ({ ...a.ref, acks: a.acks })), (a) => ({ partitionIndex: a.partition, acknowledgementBatches: toWireBatches(a.acks) }))
      })
      if (response.errorCode !== ErrorCode.NONE) {
        if (SESSION_ERRORS.has(response.errorCode)) session.reset()
        const error = kafkaError(response.errorCode, `ShareAcknowledge ${this.groupId}${response.errorMessage == null ? '' : `: ${response.errorMessage}`}`)
        return acks.map((a) => this.ackResult(a, error))
      }
      session.answered(plan)
      const errors = new Map<string, Error>()
      for (const t of response.responses) {
        for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) errors.set(refKey({ topicId: t.topicId, partition: p.partitionIndex }), kafkaError(p.errorCode, p.errorMessage))
      }
      return acks.map((a) => this.ackResult(a, errors.get(refKey(a.ref)) ?? null))
    } catch (err) {
      session.reset()
      const error = err instanceof Error ? err : new Error(String(err))
      return acks.map((a) => this.ackResult(a, error))
    }
  }

  /** Batches as polls deliver them, one per partition per poll; empty polls are not yielded. */
  async * batches (): AsyncGenerator<ShareBatch> {
    if (this.running) throw new IllegalStateError('one reader at a time: this share consumer is already being read')
    this.running = true
    try {
      while (this.running && !this.closed) {
        const messages = await this.poll()
        const byPartition = new Map<string, ShareBatch>()
        for (const m of messages) {
          const k = `${m.topic}\u0000${m.partition}`
          let b = byPartition.get(k)
          if (b === undefined) { b = { topic: m.topic, partition: m.partition, messages: [] }; byPartition.set(k, b) }
          b.messages.push(m)
        }
        for (const b of byPartition.values()) {
          yield b
          if (!this.running) break
        }
      }
    } catch (err) {
      // close() while a poll was waiting on the network: the loop ends, it does not fail.
      if (this.closed) return
      throw err
    } finally {
      this.running = false
    }
  }

  [Symbol.asyncIterator] (): AsyncIterator<ShareBatch> {
    return this.batches()
  }

  /**
   * Reads until stop()/close(). Each record the handler does not acknowledge itself is accepted
   * when it returns and released (delivered again later, to any member) when it throws.
   */
  async run (options: ShareRunOptions): Promise<void> {
    const settle = (m: ShareMessage, code: number): void => {
      if (this.ledger.unacknowledged(m)) this.ledger.acknowledge(m, code)
    }
    for await (const batch of this) {
      if (options.eachBatch !== undefined) {
        try {
          await options.eachBatch(batch)
          for (const m of batch.messages) settle(m, AckCode.ACCEPT)
        } catch (err) {
          this.cluster.logger.warn({ err, topic: batch.topic, partition: batch.partition }, 'eachBatch failed: its records are released')
          for (const m of batch.messages) settle(m, AckCode.RELEASE)
        }
        continue
      }
      if (options.eachMessage === undefined) continue
      for (const message of batch.messages) {
        try {
          await options.eachMessage({ topic: batch.topic, partition: batch.partition, message, acknowledge: (type) => this.acknowledge(message, type) })
          settle(message, AckCode.ACCEPT)
        } catch (err) {
          this.cluster.logger.warn({ err, topic: message.topic, partition: message.partition, offset: message.offset }, 'eachMessage failed: the record is released')
          settle(message, AckCode.RELEASE)
        }
      }
    }
  }

  /** Ends the read loop after the current batch. */
  stop (): void { this.running = false }

  /** Sends what is acknowledged (implicit mode: accepts the last poll), closes the share sessions and leaves the group. */
  async close (): Promise<AcknowledgementResult[]> {
    if (this.closed) return []
    this.running = false
    let results: AcknowledgementResult[] = []
    try {
      // Explicit mode: records not acknowledged are released by the broker with the session.
      if (!this.explicit) this.ledger.settle(false)
      this.ledger.dropDelivered()
      results = await this.sendAcknowledgements(true)
      this.report(results)
      this.closed = true
      await this.membership.leave()
    } finally {
      this.closed = true
      await this.cluster.close()
    }
    return results
  }
}

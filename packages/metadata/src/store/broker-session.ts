// One registered broker and the writes it may make. Every write is one store transaction whose
// conditions include this session's fence (its registration key is still the one it wrote), and
// for controller writes the election's fence; when a transaction is refused, the keys are read
// back to tell the caller which condition failed, with Kafka's error for it.
import { SerialQueue } from '@brook/common'
import type {
  BrokerRegistrationRequest, BrokerSession, ControllerFence, ControllerSession, FenceReason, PartitionChange,
  ProducerIdBlock, TopicCreation
} from '../cluster-metadata.js'
import { MetadataError, isMetadataError } from '../errors.js'
import type { KvCompare, KvOp, LeaseId } from '../kv/kv-backend.js'
import { txnBytes } from '../kv/kv-backend.js'
import type { PartitionMetadata, TopicMetadata } from '../snapshot.js'
import { NO_LEADER } from '../snapshot.js'
import type { PartitionStateRecord, TopicRecord } from './records.js'
import { decodeController, decodeControllerEpoch, decodePartitionState, decodeProducerIds, decodeTopic, encode } from './records.js'
import type { Versioned } from './state-mirror.js'
import type { StoreContext } from './store-context.js'
import { checkBrokerList, checkTopicCreation } from './validate.js'

/** Kafka's producer id block size (AllocateProducerIds). */
export const PRODUCER_ID_BLOCK_SIZE = 1000
/** Attempts of an optimistic read-then-write under contention before giving up. */
const MAX_ATTEMPTS = 20

export class KvControllerSession implements ControllerSession {
  constructor (
    private readonly session: KvBrokerSession,
    readonly epoch: number,
    /** Revision of the controller key this election wrote: the controller fence. */
    readonly revision: number
  ) {}

  get brokerId (): number { return this.session.brokerId }

  get active (): boolean {
    const c = this.session.ctx.mirror.snapshot().controller
    return c !== null && c.brokerId === this.brokerId && c.epoch === this.epoch
  }

  async resign (): Promise<void> {
    const { kv, keys } = this.session.ctx
    await kv.txn({ compares: [{ key: keys.controller, target: 'mod', revision: this.revision }], success: [{ type: 'delete', key: keys.controller }] })
  }
}

export class KvBrokerSession implements BrokerSession {
  fenced: FenceReason | null = null
  private heartbeat: NodeJS.Timeout | null = null
  private readonly fencedListeners = new Set<(reason: FenceReason) => void>()
  private unsubscribe: () => void = () => {}
  private readonly allocating = new SerialQueue()

  private constructor (
    readonly ctx: StoreContext,
    readonly brokerId: number,
    readonly incarnationId: string,
    readonly brokerEpoch: number,
    private readonly lease: LeaseId
  ) {}

  /**
   * Writes the registration on a new lease. An existing registration of the same broker id (an
   * earlier incarnation, possibly still running) is replaced at once, and its controller claim,
   * if any, is dropped in the same transaction: the old incarnation is fenced before its lease
   * would have expired.
   */
  static async register (ctx: StoreContext, req: BrokerRegistrationRequest): Promise<KvBrokerSession> {
    if (!Number.isSafeInteger(req.brokerId) || req.brokerId < 0) throw new MetadataError('INVALID_REQUEST', `bad broker id ${req.brokerId}`)
    if (req.incarnationId === '') throw new MetadataError('INVALID_REQUEST', 'empty incarnation id')
    const { kv, keys } = ctx
    const brokerKey = keys.broker(req.brokerId)
    const lease = await kv.grantLease(ctx.leaseTtlSeconds)
    const value = encode({
      brokerId: req.brokerId,
      incarnationId: req.incarnationId,
      endpoints: req.endpoints.map((e) => ({ name: e.name, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
      rack: req.rack ?? null
    })
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const existing = await kv.get(brokerKey)
      const compares: KvCompare[] = [{ key: brokerKey, target: 'mod', revision: existing?.modRevision ?? 0 }]
      const success: KvOp[] = [{ type: 'put', key: brokerKey, value, lease }]
      const controller = await kv.get(keys.controller)
      if (controller !== null && decodeController(controller.value)?.brokerId === req.brokerId) {
        compares.push({ key: keys.controller, target: 'mod', revision: controller.modRevision })
        success.push({ type: 'delete', key: keys.controller })
      }
      const res = await kv.txn({ compares, success })
      if (!res.succeeded) continue
      await ctx.waitFor(res.revision)
      const session = new KvBrokerSession(ctx, req.brokerId, req.incarnationId, res.revision, lease)
      session.start()
      return session
    }
    await kv.revokeLease(lease)
    throw new MetadataError('REQUEST_TIMED_OUT', `broker ${req.brokerId}: registration kept racing with another one`)
  }

  onFenced (listener: (reason: FenceReason) => void): void {
    this.whenFenced(listener)
  }

  /** onFenced with a way to stop listening (for waits that end otherwise). */
  private whenFenced (listener: (reason: FenceReason) => void): () => void {
    if (this.fenced !== null) {
      listener(this.fenced)
      return () => {}
    }
    this.fencedListeners.add(listener)
    return () => { this.fencedListeners.delete(listener) }
  }

  /** Fault injection: the process stops heartbeating as if frozen, and does nothing else. */
  pauseHeartbeats (): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat)
    this.heartbeat = null
  }

  async campaign (signal?: AbortSignal): Promise<ControllerSession> {
    const { kv, keys } = this.ctx
    for (;;) {
      signal?.throwIfAborted()
      if (this.fenced !== null) throw this.staleEpoch()
      const current = await kv.get(keys.controller)
      if (current !== null) {
        const holder = decodeController(current.value)
        if (holder?.brokerId === this.brokerId && holder.brokerEpoch === this.brokerEpoch) {
          return new KvControllerSession(this, holder.epoch, current.modRevision)
        }
        await this.controllerGone(current.modRevision, signal)
        continue
      }
      const epochEntry = await kv.get(keys.controllerEpoch)
      const epoch = (epochEntry === null ? 0 : decodeControllerEpoch(epochEntry.value)?.epoch ?? 0) + 1
      const revision = await this.write([
        { key: keys.controller, target: 'create', revision: 0 },
        { key: keys.controllerEpoch, target: 'mod', revision: epochEntry?.modRevision ?? 0 }
      ], [
        { type: 'put', key: keys.controller, value: encode({ brokerId: this.brokerId, epoch, brokerEpoch: this.brokerEpoch }), lease: this.lease },
        { type: 'put', key: keys.controllerEpoch, value: encode({ epoch }) }
      ])
      if (revision !== null) return new KvControllerSession(this, epoch, revision)
    }
  }

  async createTopic (topic: TopicCreation, fence?: ControllerFence): Promise<TopicMetadata> {
    const id = checkTopicCreation(topic)
    const { kv, keys } = this.ctx
    const topicKey = keys.topic(topic.name)
    const record: TopicRecord = {
      id, name: topic.name, configs: { ...topic.configs }, replicas: topic.replicas.map((r) => [...r]), state: 'creating'
    }
    const recordText = encode(record)
    if (Buffer.byteLength(recordText) > kv.limits.maxRequestBytes / 2) {
      throw new MetadataError('INVALID_PARTITIONS', `${topic.replicas.length} partitions do not fit one topic key`)
    }
    // 1. Reserve the name: the topic key in state 'creating' (invisible in snapshots).
    const reserved = await this.write([{ key: topicKey, target: 'create', revision: 0 }], [{ type: 'put', key: topicKey, value: recordText }], fence)
    if (reserved === null) throw new MetadataError('TOPIC_ALREADY_EXISTS', `topic ${topic.name} already exists`)
    // 2. The partition states, in transactions within the store's limits; each one checks that
    // the reservation still stands (a concurrent delete stops the creation).
    const live = this.ctx.mirror.snapshot().brokers
    const stillReserved: KvCompare = { key: topicKey, target: 'mod', revision: reserved }
    const fixedCompares = 2 + (fence?.controller === undefined ? 0 : 1)
    const maxOps = kv.limits.maxTxnOps - fixedCompares
    const maxBytes = kv.limits.maxRequestBytes / 2
    let batch: KvOp[] = []
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return
      const ok = await this.write([stillReserved], batch, fence)
      if (ok === null) throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic.name} was deleted while being created`)
      batch = []
    }
    for (let p = 0; p < record.replicas.length; p++) {
      const isr = (record.replicas[p] ?? []).filter((r) => live.has(r))
      const state: PartitionStateRecord = { leader: isr[0] ?? NO_LEADER, leaderEpoch: 0, partitionEpoch: 0, isr, offlineReplicas: [] }
      batch.push({ type: 'put', key: keys.partition(id, p), value: encode(state) })
      if (batch.length >= maxOps || txnBytes({ compares: [], success: batch }) >= maxBytes) await flush()
    }
    await flush()
    // 3. Publish: the topic becomes visible with all its partitions at one revision.
    const done = await this.write([stillReserved], [{ type: 'put', key: topicKey, value: encode({ ...record, state: 'ready' }) }], fence)
    if (done === null) throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic.name} was deleted while being created`)
    const created = this.ctx.mirror.snapshot().topicsById.get(id)
    if (created === undefined) throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic.name} was deleted right after its creation`)
    return created
  }

  async deleteTopic (name: string, fence?: ControllerFence): Promise<void> {
    const { kv, keys } = this.ctx
    const topicKey = keys.topic(name)
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await kv.get(topicKey)
      const record = entry === null ? null : decodeTopic(entry.value)
      if (entry === null || record === null) throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `no topic ${name}`)
      // Two operations whatever the partition count: the states go as one prefix delete.
      const revision = await this.write([{ key: topicKey, target: 'mod', revision: entry.modRevision }], [
        { type: 'delete', key: topicKey },
        { type: 'deletePrefix', prefix: keys.partitions(record.id) }
      ], fence)
      if (revision !== null) return
    }
    throw new MetadataError('REQUEST_TIMED_OUT', `topic ${name}: deletion kept racing with other changes`)
  }

  async alterPartition (change: PartitionChange, fence?: ControllerFence): Promise<PartitionMetadata> {
    const { kv, keys, mirror } = this.ctx
    const name = mirror.topicNameOf(change.topicId)
    const topic = name === undefined ? undefined : mirror.topic(name)
    if (topic === undefined || topic.record.state !== 'ready') throw new MetadataError('UNKNOWN_TOPIC_ID', `no topic with id ${change.topicId}`)
    const replicas = topic.record.replicas[change.partition]
    if (!Number.isSafeInteger(change.partition) || replicas === undefined) {
      throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `${topic.record.name} has no partition ${change.partition}`)
    }
    const key = keys.partition(change.topicId, change.partition)
    const readFromStore = async (): Promise<Versioned<PartitionStateRecord> | undefined> => {
      const entry = await kv.get(key)
      const record = entry === null ? null : decodePartitionState(entry.value)
      return entry === null || record === null ? undefined : { record, modRevision: entry.modRevision }
    }
    // The local copy first; whenever it disagrees with the request it may only be behind, so
    // the request is judged again against the store's own state before it is refused.
    let current = mirror.partition(change.topicId, change.partition)
    let fromStore = false
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (current === undefined && !fromStore) {
        current = await readFromStore()
        fromStore = true
      }
      if (current === undefined) throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `${topic.record.name}-${change.partition} has no state`)
      let next: PartitionStateRecord
      try {
        next = this.nextState(change, current.record, replicas)
      } catch (err) {
        if (fromStore || !isMetadataError(err)) throw err
        current = await readFromStore()
        fromStore = true
        continue
      }
      const revision = await this.write([{ key, target: 'mod', revision: current.modRevision }], [{ type: 'put', key, value: encode(next) }], fence)
      if (revision !== null) return partitionMetadata(change.partition, replicas, next)
      current = await readFromStore()
      fromStore = true
    }
    throw new MetadataError('REQUEST_TIMED_OUT', `${topic.record.name}-${change.partition}: change kept racing`)
  }

  async allocateProducerIds (): Promise<ProducerIdBlock> {
    // One allocation at a time per broker: concurrent ones would only race each other.
    return await this.allocating.run(async () => await this.allocateProducerIdsNow())
  }

  private async allocateProducerIdsNow (): Promise<ProducerIdBlock> {
    const { kv, keys } = this.ctx
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await kv.get(keys.producerIds)
      const record = entry === null ? null : decodeProducerIds(entry.value)
      if (entry !== null && record === null) throw new MetadataError('INVALID_REQUEST', `${keys.producerIds} does not decode`)
      const first = record === null ? 0n : BigInt(record.nextProducerId)
      const next = first + BigInt(PRODUCER_ID_BLOCK_SIZE)
      const revision = await this.write([{ key: keys.producerIds, target: 'mod', revision: entry?.modRevision ?? 0 }],
        [{ type: 'put', key: keys.producerIds, value: encode({ nextProducerId: next.toString() }) }])
      if (revision !== null) return Object.freeze({ brokerId: this.brokerId, firstProducerId: first, size: PRODUCER_ID_BLOCK_SIZE })
    }
    throw new MetadataError('REQUEST_TIMED_OUT', 'producer id allocation kept racing')
  }

  async close (): Promise<void> {
    if (this.fenced === 'closed') return
    this.markFenced('closed')
    await this.ctx.kv.revokeLease(this.lease)
  }

  private start (): void {
    this.heartbeat = setInterval(() => { this.beat() }, this.ctx.heartbeatIntervalMs)
    this.heartbeat.unref()
    this.unsubscribe = this.ctx.mirror.subscribe((update) => {
      if (!update.brokersChanged || this.fenced !== null) return
      const reg = update.snapshot.brokers.get(this.brokerId)
      if (reg === undefined) this.markFenced('expired')
      else if (reg.brokerEpoch !== this.brokerEpoch) this.markFenced('replaced')
    })
  }

  private beat (): void {
    this.ctx.kv.keepAlive(this.lease).then((alive) => {
      if (!alive && this.fenced === null) this.markFenced('expired')
    }, (err: unknown) => {
      // The store is unreachable; the lease may still be alive (etcd restores leases with their
      // full TTL after a restart). The next beat tries again.
      this.ctx.logger.warn({ err, brokerId: this.brokerId }, 'broker heartbeat did not reach the metadata store')
    })
  }

  private markFenced (reason: FenceReason): void {
    if (this.fenced !== null) return
    this.fenced = reason
    this.pauseHeartbeats()
    this.unsubscribe()
    this.ctx.logger.info({ brokerId: this.brokerId, brokerEpoch: this.brokerEpoch, reason }, 'broker session fenced')
    const listeners = [...this.fencedListeners]
    this.fencedListeners.clear()
    for (const listener of listeners) {
      try {
        listener(reason)
      } catch (err) {
        this.ctx.logger.error({ err }, 'fenced listener failed')
      }
    }
  }

  private staleEpoch (): MetadataError {
    return new MetadataError('STALE_BROKER_EPOCH', `broker ${this.brokerId} epoch ${this.brokerEpoch} is fenced (${this.fenced ?? 'expired'})`)
  }

  /** The partition state after `change`, or the Kafka error that refuses it. */
  private nextState (change: PartitionChange, current: PartitionStateRecord, replicas: readonly number[]): PartitionStateRecord {
    if (change.leaderEpoch !== undefined && change.leaderEpoch !== current.leaderEpoch) {
      throw new MetadataError('FENCED_LEADER_EPOCH', `leader epoch ${change.leaderEpoch} is not the current ${current.leaderEpoch}`)
    }
    if (change.partitionEpoch !== current.partitionEpoch) {
      throw new MetadataError('INVALID_UPDATE_VERSION', `partition epoch ${change.partitionEpoch} is not the current ${current.partitionEpoch}`)
    }
    checkBrokerList('isr', change.isr, replicas)
    const offline = change.offlineReplicas ?? current.offlineReplicas
    checkBrokerList('offlineReplicas', offline, replicas)
    const leader = change.leader ?? current.leader
    if (leader !== NO_LEADER && !change.isr.includes(leader)) {
      throw new MetadataError('INVALID_REQUEST', `leader ${leader} is not in the ISR ${JSON.stringify(change.isr)}`)
    }
    const live = this.ctx.mirror.snapshot().brokers
    const joining = change.isr.filter((r) => !current.isr.includes(r) && !live.has(r))
    if (joining.length > 0) throw new MetadataError('INELIGIBLE_REPLICA', `brokers ${JSON.stringify(joining)} are not registered`)
    return {
      leader,
      leaderEpoch: leader === current.leader ? current.leaderEpoch : current.leaderEpoch + 1,
      partitionEpoch: current.partitionEpoch + 1,
      isr: [...change.isr],
      offlineReplicas: [...offline]
    }
  }

  /**
   * One fenced transaction. Returns its revision once the local snapshot includes it, or null when
   * one of `compares` failed; throws STALE_BROKER_EPOCH / NOT_CONTROLLER when a fence failed.
   */
  private async write (compares: KvCompare[], success: KvOp[], fence?: ControllerFence): Promise<number | null> {
    const { kv, keys } = this.ctx
    const fences: KvCompare[] = [{ key: keys.broker(this.brokerId), target: 'mod', revision: this.brokerEpoch }]
    const controller = fence?.controller
    if (controller !== undefined) {
      if (!(controller instanceof KvControllerSession)) throw new MetadataError('INVALID_REQUEST', 'controller session of another store')
      fences.push({ key: keys.controller, target: 'mod', revision: controller.revision })
    }
    let result
    try {
      result = await kv.txn({ compares: [...fences, ...compares], success })
    } catch (err) {
      // etcd refuses a transaction over its limits before applying anything.
      if (err instanceof Error && /too many operations|request is too large/.test(err.message)) {
        throw new MetadataError('INVALID_REQUEST', `the metadata store refused the transaction: ${err.message}`, { cause: err })
      }
      throw new MetadataError('REQUEST_TIMED_OUT', 'the metadata store did not answer; the change may or may not have been made', { cause: err })
    }
    if (result.succeeded) {
      await this.ctx.waitFor(result.revision)
      return result.revision
    }
    const registration = await kv.get(keys.broker(this.brokerId))
    if (registration === null || registration.modRevision !== this.brokerEpoch) {
      this.markFenced(registration === null ? 'expired' : 'replaced')
      throw this.staleEpoch()
    }
    if (controller instanceof KvControllerSession) {
      const held = await kv.get(keys.controller)
      if (held === null || held.modRevision !== controller.revision) {
        throw new MetadataError('NOT_CONTROLLER', `controller epoch ${controller.epoch} is no longer the current controller`)
      }
    }
    return null
  }

  /** Resolves once the local view shows no controller after `seenRevision`. */
  private async controllerGone (seenRevision: number, signal?: AbortSignal): Promise<void> {
    const gone = (): boolean => {
      const snap = this.ctx.mirror.snapshot()
      return this.fenced !== null || (snap.revision >= seenRevision && snap.controller === null)
    }
    if (gone()) return
    await new Promise<void>((resolve, reject) => {
      const cleanups: Array<() => void> = []
      const stop = (): void => { for (const cleanup of cleanups.splice(0)) cleanup() }
      const onAbort = (): void => { stop(); reject(signal?.reason) }
      signal?.addEventListener('abort', onAbort, { once: true })
      cleanups.push(() => { signal?.removeEventListener('abort', onAbort) })
      cleanups.push(this.ctx.mirror.subscribe(() => { if (gone()) { stop(); resolve() } }))
      cleanups.push(this.whenFenced(() => { stop(); resolve() }))
      if (signal?.aborted === true) onAbort()
    })
  }
}

function partitionMetadata (partition: number, replicas: readonly number[], s: PartitionStateRecord): PartitionMetadata {
  return Object.freeze({
    partition,
    replicas: Object.freeze([...replicas]),
    leader: s.leader,
    leaderEpoch: s.leaderEpoch,
    partitionEpoch: s.partitionEpoch,
    isr: Object.freeze([...s.isr]),
    offlineReplicas: Object.freeze([...s.offlineReplicas])
  })
}

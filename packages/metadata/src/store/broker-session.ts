// One registered broker: its registration on a lease, the heartbeats that keep it, how it learns
// it was fenced, and the writes it may make (each through fencedWrite, so the store refuses them
// once the registration expired or was replaced).
import { SerialQueue } from '@brook/common'
import type {
  BrokerRegistrationRequest, BrokerSession, ControllerFence, ControllerSession, FenceReason, PartitionChange,
  ProducerIdBlock, TopicCreation
} from '../cluster-metadata.js'
import { MetadataError } from '../errors.js'
import type { KvCompare, KvOp, LeaseId } from '../kv/kv-backend.js'
import type { PartitionMetadata, TopicMetadata } from '../snapshot.js'
import { KvControllerSession } from './controller-session.js'
import { type FencedWriter, MAX_ATTEMPTS, fencedWrite } from './fenced-write.js'
import { alterPartition } from './partition-change.js'
import { allocateProducerIds } from './producer-ids.js'
import { decodeController, decodeControllerEpoch, encode } from './records.js'
import type { StoreContext } from './store-context.js'
import { addPartitions, alterTopicConfigs, createTopic, deleteTopic } from './topic-writes.js'

export class KvBrokerSession implements BrokerSession {
  fenced: FenceReason | null = null
  private heartbeat: NodeJS.Timeout | null = null
  private readonly fencedListeners = new Set<(reason: FenceReason) => void>()
  private unsubscribe: () => void = () => {}
  // One allocation at a time per broker: concurrent ones would only race each other.
  private readonly allocating = new SerialQueue()
  private readonly writer: FencedWriter

  private constructor (
    private readonly ctx: StoreContext,
    readonly brokerId: number,
    readonly incarnationId: string,
    readonly brokerEpoch: number,
    private readonly lease: LeaseId
  ) {
    this.writer = {
      ctx,
      brokerId,
      brokerEpoch,
      lost: (reason) => {
        this.markFenced(reason)
        return this.staleEpoch()
      }
    }
  }

  /**
   * Writes the registration on a new lease. An existing registration of the same broker id (an
   * earlier incarnation, possibly still running) is replaced at once, and its controller claim,
   * if any, is dropped in the same transaction: the old incarnation is fenced before its lease
   * would have expired.
   */
  static async register (ctx: StoreContext, req: BrokerRegistrationRequest): Promise<KvBrokerSession> {
    if (!Number.isSafeInteger(req.brokerId) || req.brokerId < 0) {
      throw new MetadataError('INVALID_REQUEST', `bad broker id ${req.brokerId}`)
    }
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
          return new KvControllerSession(this.ctx, this.brokerId, holder.epoch, current.modRevision)
        }
        await this.controllerGone(current.modRevision, signal)
        continue
      }
      // The epoch comes from its own key, so it keeps growing across controller deaths.
      const epochEntry = await kv.get(keys.controllerEpoch)
      const epoch = (epochEntry === null ? 0 : decodeControllerEpoch(epochEntry.value)?.epoch ?? 0) + 1
      const claim = encode({ brokerId: this.brokerId, epoch, brokerEpoch: this.brokerEpoch })
      const revision = await fencedWrite(this.writer, [
        { key: keys.controller, target: 'create', revision: 0 },
        { key: keys.controllerEpoch, target: 'mod', revision: epochEntry?.modRevision ?? 0 }
      ], [
        { type: 'put', key: keys.controller, value: claim, lease: this.lease },
        { type: 'put', key: keys.controllerEpoch, value: encode({ epoch }) }
      ])
      if (revision !== null) return new KvControllerSession(this.ctx, this.brokerId, epoch, revision)
    }
  }

  async createTopic (topic: TopicCreation, fence?: ControllerFence): Promise<TopicMetadata> {
    return await createTopic(this.writer, topic, fence)
  }

  async deleteTopic (name: string, fence?: ControllerFence): Promise<void> {
    await deleteTopic(this.writer, name, fence)
  }

  async addPartitions (name: string, replicas: ReadonlyArray<readonly number[]>, fence?: ControllerFence): Promise<TopicMetadata> {
    return await addPartitions(this.writer, name, replicas, fence)
  }

  async alterTopicConfigs (name: string, configs: Readonly<Record<string, string>>, fence?: ControllerFence): Promise<TopicMetadata> {
    return await alterTopicConfigs(this.writer, name, configs, fence)
  }

  async alterPartition (change: PartitionChange, fence?: ControllerFence): Promise<PartitionMetadata> {
    return await alterPartition(this.writer, change, fence)
  }

  async allocateProducerIds (): Promise<ProducerIdBlock> {
    return await this.allocating.run(async () => await allocateProducerIds(this.writer))
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

  /** onFenced with a way to stop listening (for waits that end otherwise). */
  private whenFenced (listener: (reason: FenceReason) => void): () => void {
    if (this.fenced !== null) {
      listener(this.fenced)
      return () => {}
    }
    this.fencedListeners.add(listener)
    return () => { this.fencedListeners.delete(listener) }
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
    return new MetadataError('STALE_BROKER_EPOCH',
      `broker ${this.brokerId} epoch ${this.brokerEpoch} is fenced (${this.fenced ?? 'expired'})`)
  }

  /** Resolves once the local view shows no controller after `seenRevision`, or on fencing. */
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

// The local copy of the cluster metadata: applies the store's changes revision by revision and
// publishes one immutable snapshot per revision. Unchanged topics are shared between snapshots,
// so a partition change costs one topic's rebuild, not the cluster's.
import type { Logger } from '@brook/common'
import type { KvEntry, KvEvent } from '../kv/kv-backend.js'
import type {
  BrokerRegistration, ControllerInfo, MetadataSnapshot, MetadataUpdate, PartitionMetadata, TopicMetadata
} from '../snapshot.js'
import { EMPTY_SNAPSHOT } from '../snapshot.js'
import type { MetadataKeys } from './keys.js'
import type { PartitionStateRecord, TopicRecord } from './records.js'
import { decodeBroker, decodeController, decodePartitionState, decodeTopic } from './records.js'

export interface Versioned<T> {
  readonly record: T
  readonly modRevision: number
}

interface Waiter {
  revision: number
  resolve: (snapshot: MetadataSnapshot) => void
}

export class StateMirror {
  private readonly brokers = new Map<number, BrokerRegistration>()
  private controller: ControllerInfo | null = null
  /** Every topic key, ready or still being created, by name. */
  private readonly topics = new Map<string, Versioned<TopicRecord>>()
  private readonly topicNames = new Map<string, string>()
  private readonly partitions = new Map<string, Map<number, Versioned<PartitionStateRecord>>>()
  private current: MetadataSnapshot = EMPTY_SNAPSHOT
  private readonly listeners = new Set<(update: MetadataUpdate) => void>()
  private waiters: Waiter[] = []

  constructor (private readonly keys: MetadataKeys, private readonly logger: Logger) {}

  snapshot (): MetadataSnapshot { return this.current }

  topic (name: string): Versioned<TopicRecord> | undefined { return this.topics.get(name) }

  partition (topicId: string, partition: number): Versioned<PartitionStateRecord> | undefined {
    return this.partitions.get(topicId)?.get(partition)
  }

  topicNameOf (topicId: string): string | undefined { return this.topicNames.get(topicId) }

  subscribe (listener: (update: MetadataUpdate) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Resolves once a snapshot at `revision` or later is published. */
  async waitFor (revision: number): Promise<MetadataSnapshot> {
    if (this.current.revision >= revision) return this.current
    return await new Promise((resolve) => { this.waiters.push({ revision, resolve }) })
  }

  /** Replaces everything with the store's content at `revision`. */
  reset (entries: readonly KvEntry[], revision: number): void {
    const dirty = new Set<string>([...this.topics.keys()])
    this.brokers.clear()
    this.controller = null
    this.topics.clear()
    this.topicNames.clear()
    this.partitions.clear()
    for (const e of entries) {
      this.put(e.key, e.value, e.modRevision, dirty)
    }
    for (const name of this.topics.keys()) dirty.add(name)
    this.publish(revision, true, true, dirty)
  }

  /** Applies the events of one revision (revisions arrive in order, each once). */
  apply (revision: number, events: readonly KvEvent[]): void {
    if (revision <= this.current.revision) return
    let brokersChanged = false
    let controllerChanged = false
    const dirty = new Set<string>()
    for (const e of events) {
      const key = this.keys.parse(e.key)
      if (key?.kind === 'broker') brokersChanged = true
      if (key?.kind === 'controller') controllerChanged = true
      if (e.type === 'put') this.put(e.key, e.value, e.modRevision, dirty)
      else this.remove(e.key, dirty)
    }
    this.publish(revision, brokersChanged, controllerChanged, dirty)
  }

  private put (rawKey: string, value: string, modRevision: number, dirty: Set<string>): void {
    const key = this.keys.parse(rawKey)
    if (key === null) return
    const undecodable = (): void => { this.logger.warn({ key: rawKey }, 'metadata value does not decode; ignored') }
    switch (key.kind) {
      case 'broker': {
        const r = decodeBroker(value)
        if (r === null || r.brokerId !== key.brokerId) return undecodable()
        this.brokers.set(key.brokerId, Object.freeze({
          brokerId: r.brokerId,
          incarnationId: r.incarnationId,
          brokerEpoch: modRevision,
          endpoints: Object.freeze(r.endpoints.map((ep) => Object.freeze(ep))),
          rack: r.rack
        }))
        return
      }
      case 'controller': {
        const r = decodeController(value)
        if (r === null) return undecodable()
        this.controller = Object.freeze(r)
        return
      }
      case 'topic': {
        const r = decodeTopic(value)
        if (r === null || r.name !== key.name) return undecodable()
        const old = this.topics.get(key.name)
        if (old !== undefined && old.record.id !== r.id) this.topicNames.delete(old.record.id)
        this.topics.set(key.name, { record: r, modRevision })
        this.topicNames.set(r.id, r.name)
        dirty.add(r.name)
        return
      }
      case 'partition': {
        const r = decodePartitionState(value)
        if (r === null) return undecodable()
        let states = this.partitions.get(key.topicId)
        if (states === undefined) this.partitions.set(key.topicId, states = new Map())
        states.set(key.partition, { record: r, modRevision })
        const name = this.topicNames.get(key.topicId)
        if (name !== undefined) dirty.add(name)
        return
      }
      case 'controllerEpoch':
      case 'producerIds':
        // Read by the writers that need them, straight from the store; not part of a snapshot.
    }
  }

  private remove (rawKey: string, dirty: Set<string>): void {
    const key = this.keys.parse(rawKey)
    if (key === null) return
    switch (key.kind) {
      case 'broker': this.brokers.delete(key.brokerId); return
      case 'controller': this.controller = null; return
      case 'topic': {
        const old = this.topics.get(key.name)
        if (old === undefined) return
        this.topics.delete(key.name)
        this.topicNames.delete(old.record.id)
        dirty.add(key.name)
        return
      }
      case 'partition': {
        const states = this.partitions.get(key.topicId)
        states?.delete(key.partition)
        if (states?.size === 0) this.partitions.delete(key.topicId)
        const name = this.topicNames.get(key.topicId)
        if (name !== undefined) dirty.add(name)
        return
      }
      case 'controllerEpoch':
      case 'producerIds':
    }
  }

  /** The visible form of a topic, or null while it is being created (or is incomplete). */
  private build (name: string): TopicMetadata | null {
    const t = this.topics.get(name)
    if (t === undefined || t.record.state !== 'ready') return null
    const states = this.partitions.get(t.record.id)
    const partitions: PartitionMetadata[] = []
    for (let p = 0; p < t.record.replicas.length; p++) {
      const s = states?.get(p)
      if (s === undefined) {
        this.logger.warn({ topic: name, partition: p }, 'topic without a partition state; hidden')
        return null
      }
      partitions.push(Object.freeze({
        partition: p,
        replicas: Object.freeze([...(s.record.replicas ?? t.record.replicas[p] ?? [])]),
        leader: s.record.leader,
        leaderEpoch: s.record.leaderEpoch,
        partitionEpoch: s.record.partitionEpoch,
        isr: Object.freeze([...s.record.isr]),
        offlineReplicas: Object.freeze([...s.record.offlineReplicas]),
        addingReplicas: Object.freeze([...(s.record.addingReplicas ?? [])]),
        removingReplicas: Object.freeze([...(s.record.removingReplicas ?? [])])
      }))
    }
    return Object.freeze({
      id: t.record.id,
      name,
      configs: Object.freeze({ ...t.record.configs }),
      partitions: Object.freeze(partitions)
    })
  }

  private publish (revision: number, brokersChanged: boolean, controllerChanged: boolean, dirty: Set<string>): void {
    const previous = this.current
    let topics = previous.topics
    let topicsById = previous.topicsById
    const topicsChanged = new Set<string>()
    if (dirty.size > 0) {
      const byName = new Map(previous.topics)
      const byId = new Map(previous.topicsById)
      for (const name of dirty) {
        const before = byName.get(name)
        const after = this.build(name)
        if (before === undefined && after === null) continue
        if (before !== undefined) {
          byName.delete(name)
          byId.delete(before.id)
        }
        if (after !== null) {
          byName.set(name, after)
          byId.set(after.id, after)
        }
        topicsChanged.add(name)
      }
      topics = byName
      topicsById = byId
    }
    this.current = Object.freeze({
      revision,
      brokers: brokersChanged ? new Map(this.brokers) : previous.brokers,
      controller: this.controller,
      topics,
      topicsById
    })
    const update: MetadataUpdate = Object.freeze({
      snapshot: this.current, previous, brokersChanged, controllerChanged, topicsChanged
    })
    for (const listener of this.listeners) {
      try {
        listener(update)
      } catch (err) {
        this.logger.error({ err }, 'metadata listener failed')
      }
    }
    const ready = this.waiters.filter((w) => w.revision <= revision)
    if (ready.length > 0) {
      this.waiters = this.waiters.filter((w) => w.revision > revision)
      for (const w of ready) w.resolve(this.current)
    }
  }
}

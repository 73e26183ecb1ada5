// The share-partitions this broker leads, created on first use (a ShareFetch names them) and
// loaded from the share coordinator's durable state. A load that fails is forgotten, so the next
// fetch tries again (COORDINATOR_LOAD_IN_PROGRESS while `__share_group_state` loads).
import type { Logger } from '@brook/common'
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import type { ReplicaManager } from '../partition/replica-manager.js'
import { partitionKey, type FetchPurgatory } from '../purgatory/delayed-fetch.js'
import type { ShareSettings } from './config.js'
import type { DeadLetterWriter } from './dlq/writer.js'
import { SharePartition } from './partition/share-partition.js'
import { stateKey } from './state/records.js'
import type { ShareStateStore } from './state/store.js'

export interface SharePartitionsDeps {
  replicas: ReplicaManager
  store: ShareStateStore
  purgatory: FetchPurgatory
  settings: (groupId: string) => ShareSettings
  deadLetters?: DeadLetterWriter
  logger: Logger
}

export class SharePartitions {
  readonly #deps: SharePartitionsDeps
  readonly #loaded = new Map<string, Promise<SharePartition>>()
  readonly #byGroup = new Map<string, Set<string>>()

  constructor (deps: SharePartitionsDeps) {
    this.#deps = deps
  }

  /** The share-partition, loading it if needed; throws KafkaError for an unknown topic id or partition. */
  async get (groupId: string, topicId: string, partition: number): Promise<SharePartition> {
    const topic = this.#deps.replicas.topicById(topicId)
    if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_ID, `unknown topic id ${topicId}`)
    const p = topic.partitions[partition]
    if (p === undefined) {
      throw new KafkaError(partition >= 0 && partition < topic.partitions.length ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no partition ${topic.info.name}-${partition} here`)
    }
    const key = { groupId, topicId, partition }
    const k = stateKey(key)
    let loading = this.#loaded.get(k)
    if (loading === undefined) {
      const name = topic.info.name
      loading = SharePartition.load({
        key,
        topic: name,
        partition: p,
        store: this.#deps.store,
        settings: () => this.#deps.settings(groupId),
        notify: () => { this.#deps.purgatory.notify(partitionKey(name, partition)) },
        ...(this.#deps.deadLetters === undefined ? {} : { deadLetters: this.#deps.deadLetters }),
        ttlMs: () => Number(this.#deps.replicas.topicById(topicId)?.info.configs['message.ttl.ms'] ?? -1),
        logger: this.#deps.logger
      })
      this.#loaded.set(k, loading)
      let keys = this.#byGroup.get(groupId)
      if (keys === undefined) this.#byGroup.set(groupId, keys = new Set())
      keys.add(k)
      loading.catch((err: unknown) => {
        this.#deps.logger.warn({ err, groupId, topic: name, partition }, 'share-partition load failed')
        if (this.#loaded.get(k) === loading) this.#loaded.delete(k)
        keys.delete(k)
      })
    }
    return await loading
  }

  /** The loaded share-partitions of a group. */
  async ofGroup (groupId: string): Promise<SharePartition[]> {
    const keys = [...(this.#byGroup.get(groupId) ?? [])]
    const settled = await Promise.allSettled(keys.map(async (k) => await (this.#loaded.get(k) ?? Promise.reject(new Error('gone')))))
    return settled.flatMap((s) => s.status === 'fulfilled' ? [s.value] : [])
  }

  /** Returns everything a member holds, in every share-partition of its group. */
  async releaseMember (groupId: string, memberId: string): Promise<void> {
    const parts = await this.ofGroup(groupId)
    await Promise.all(parts.map(async (sp) => {
      try {
        await sp.releaseMember(memberId)
      } catch (err) {
        this.#deps.logger.warn({ err, groupId, memberId }, 'share-partition: releasing a member\'s records failed')
      }
    }))
  }

  /** Forgets a group's share-partitions (the group was deleted). */
  async dropGroup (groupId: string): Promise<void> {
    for (const sp of await this.ofGroup(groupId)) {
      sp.close()
      this.#loaded.delete(stateKey(sp.key))
    }
    this.#byGroup.delete(groupId)
  }

  close (): void {
    for (const loading of this.#loaded.values()) {
      loading.then((sp) => { sp.close() }, () => { /* its failure was logged when it happened */ })
    }
  }
}

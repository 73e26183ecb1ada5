// Where each piece of metadata lives under the store prefix (etcd.prefix, "/brook" by default).
// One key per broker, per topic and per partition state, so that no change ever rewrites more
// than it touches, and a topic of any size is created in bounded transactions.
//
//   <prefix>/brokers/<brokerId>                 registration, on the broker's lease
//   <prefix>/controller                         the elected controller, on its broker's lease
//   <prefix>/controller-epoch                   the last controller epoch handed out (no lease)
//   <prefix>/topics/<name>                      id, configs, replica assignment, creation state
//   <prefix>/partitions/<topicId>/<partition>   leader, epochs, ISR, offline replicas
//   <prefix>/producer-ids                       the next producer id to hand out
//   <prefix>/cluster-id                         the cluster's id, claimed by the first broker (no lease)

export type MetadataKey =
  | { kind: 'broker', brokerId: number }
  | { kind: 'controller' }
  | { kind: 'controllerEpoch' }
  | { kind: 'topic', name: string }
  | { kind: 'partition', topicId: string, partition: number }
  | { kind: 'producerIds' }

export class MetadataKeys {
  /** The prefix with every trailing '/' removed; keys are `${root}/...`. */
  readonly root: string

  constructor (prefix: string) {
    this.root = prefix.replace(/\/+$/, '')
  }

  /** Everything this cluster owns (and nothing of a cluster under "/brook2"). */
  get all (): string { return `${this.root}/` }
  broker (brokerId: number): string { return `${this.root}/brokers/${brokerId}` }
  get controller (): string { return `${this.root}/controller` }
  get controllerEpoch (): string { return `${this.root}/controller-epoch` }
  topic (name: string): string { return `${this.root}/topics/${name}` }
  partitions (topicId: string): string { return `${this.root}/partitions/${topicId}/` }
  partition (topicId: string, partition: number): string { return `${this.root}/partitions/${topicId}/${partition}` }
  get producerIds (): string { return `${this.root}/producer-ids` }
  get clusterId (): string { return `${this.root}/cluster-id` }

  /** Which piece a key holds, or null for a key this version does not know (left alone). */
  parse (key: string): MetadataKey | null {
    if (!key.startsWith(this.all)) return null
    const rest = key.slice(this.all.length)
    if (rest === 'controller') return { kind: 'controller' }
    if (rest === 'controller-epoch') return { kind: 'controllerEpoch' }
    if (rest === 'producer-ids') return { kind: 'producerIds' }
    if (rest.startsWith('brokers/')) {
      const id = Number(rest.slice('brokers/'.length))
      return Number.isSafeInteger(id) && id >= 0 ? { kind: 'broker', brokerId: id } : null
    }
    if (rest.startsWith('topics/')) return { kind: 'topic', name: rest.slice('topics/'.length) }
    if (rest.startsWith('partitions/')) {
      const [topicId, index, extra] = rest.slice('partitions/'.length).split('/')
      const partition = Number(index)
      if (topicId === undefined || extra !== undefined || !Number.isSafeInteger(partition) || partition < 0) return null
      return { kind: 'partition', topicId, partition }
    }
    return null
  }
}

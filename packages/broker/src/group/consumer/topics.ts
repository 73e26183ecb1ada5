// What a consumer group needs to know about the cluster's topics: names, ids and partition
// counts. The broker passes its replica manager's view; unit tests pass a fixed list.

export interface TopicView {
  name: string
  id: string
  partitions: number
}

export interface TopicResolver {
  byName: (name: string) => TopicView | undefined
  byId: (id: string) => TopicView | undefined
  /** Every topic, internal ones included (regex subscriptions skip those). */
  all: () => Iterable<TopicView>
}

export const NO_TOPICS: TopicResolver = {
  byName: () => undefined,
  byId: () => undefined,
  all: () => []
}

/** Topics a regex subscription never matches, as Kafka's internal topics. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state'])

export function fixedTopics (topics: readonly TopicView[]): TopicResolver {
  return {
    byName: (name) => topics.find((t) => t.name === name),
    byId: (id) => topics.find((t) => t.id === id),
    all: () => topics
  }
}

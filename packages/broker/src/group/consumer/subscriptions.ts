// Resolving what members subscribe to (names that exist, and regexes over every non-internal
// topic) into the group's subscribed topics and each member's topic ids.
import type { GroupRecord } from '../records.js'
import type { ConsumerMember } from './member.js'
import type { TopicMetadata } from './records.js'
import { compileWholeNameRegex, type NameMatcher } from '../../regex/whole-name.js'
import { INTERNAL_TOPICS, type TopicResolver } from './topics.js'

/** The regex compiled, or null when it does not compile (it was refused when the member sent it). */
function matcher (regex: string | null): NameMatcher | null {
  if (regex === null || regex === '') return null
  try {
    return compileWholeNameRegex(regex)
  } catch {
    // A stored regex was validated when the member sent it; one that no longer compiles
    // (a record written by another broker version) simply matches nothing.
    return null
  }
}

/**
 * The end of a heartbeat's (or a classic member's join's) first step: the group's subscribed
 * topics once `members` changed, recorded when they differ, and the group epoch, bumped and
 * recorded when `bump` is set or the topics changed.
 */
export function nextGroupEpoch (group: { readonly groupId: string, readonly groupEpoch: number, readonly topics: readonly TopicMetadata[] },
  members: Iterable<ConsumerMember>, resolver: TopicResolver, bump: boolean, records: GroupRecord[]): { topics: TopicMetadata[], groupEpoch: number } {
  const topics = resolveGroupTopics(members, resolver)
  const topicsChanged = !sameTopicMetadata(topics, group.topics)
  if (topicsChanged) records.push({ type: 'cg-topics', groupId: group.groupId, value: topics })
  if (!bump && !topicsChanged) return { topics, groupEpoch: group.groupEpoch }
  const groupEpoch = group.groupEpoch + 1
  records.push({ type: 'cg-epoch', groupId: group.groupId, value: { epoch: groupEpoch } })
  return { topics, groupEpoch }
}

/** The group's subscribed topics, sorted by name. */
export function resolveGroupTopics (members: Iterable<ConsumerMember>, topics: TopicResolver): TopicMetadata[] {
  const names = new Set<string>()
  const regexes: NameMatcher[] = []
  for (const m of members) {
    for (const n of m.metadata.subscribedTopicNames) names.add(n)
    const r = matcher(m.metadata.subscribedTopicRegex)
    if (r !== null) regexes.push(r)
  }
  const out = new Map<string, TopicMetadata>()
  for (const name of names) {
    const t = topics.byName(name)
    if (t !== undefined) out.set(name, { topicId: t.id, topicName: t.name, numPartitions: t.partitions })
  }
  if (regexes.length > 0) {
    for (const t of topics.all()) {
      if (out.has(t.name) || INTERNAL_TOPICS.has(t.name)) continue
      if (regexes.some((r) => r.test(t.name))) out.set(t.name, { topicId: t.id, topicName: t.name, numPartitions: t.partitions })
    }
  }
  return [...out.values()].sort((a, b) => (a.topicName < b.topicName ? -1 : a.topicName > b.topicName ? 1 : 0))
}

/** The topic ids, among the group's topics, that one member subscribes to. */
export function memberTopicIds (member: ConsumerMember, groupTopics: readonly TopicMetadata[]): Set<string> {
  const names = new Set(member.metadata.subscribedTopicNames)
  const r = matcher(member.metadata.subscribedTopicRegex)
  const out = new Set<string>()
  for (const t of groupTopics) if (names.has(t.topicName) || (r !== null && r.test(t.topicName))) out.add(t.topicId)
  return out
}

export function sameTopicMetadata (a: readonly TopicMetadata[], b: readonly TopicMetadata[]): boolean {
  if (a.length !== b.length) return false
  return a.every((t, i) => {
    const o = b[i]
    return o !== undefined && o.topicId === t.topicId && o.topicName === t.topicName && o.numPartitions === t.numPartitions
  })
}

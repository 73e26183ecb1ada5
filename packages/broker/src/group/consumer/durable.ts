// The durable view of a consumer group (what its records say), for replay-equivalence checks.
import { toWire, type WireTopicPartitions } from './assignment.js'
import type { ConsumerGroup } from './group.js'
import type { MemberMetadata, TopicMetadata } from './records.js'

export interface DurableConsumerGroup {
  groupEpoch: number
  assignmentEpoch: number
  topics: TopicMetadata[]
  target: Record<string, WireTopicPartitions[]>
  members: Record<string, {
    metadata: MemberMetadata
    memberEpoch: number
    previousMemberEpoch: number
    state: number
    assigned: WireTopicPartitions[]
    pendingRevocation: WireTopicPartitions[]
  }>
}

export function durableConsumerGroup (group: ConsumerGroup): DurableConsumerGroup {
  const target: DurableConsumerGroup['target'] = {}
  for (const id of [...group.target.keys()].sort()) target[id] = toWire(group.targetOf(id))
  const members: DurableConsumerGroup['members'] = {}
  for (const id of [...group.members.keys()].sort()) {
    const m = group.members.get(id)
    if (m === undefined) continue
    members[id] = {
      metadata: m.metadata,
      memberEpoch: m.current.memberEpoch,
      previousMemberEpoch: m.current.previousMemberEpoch,
      state: m.current.state,
      assigned: toWire(m.current.assigned),
      pendingRevocation: toWire(m.current.pendingRevocation)
    }
  }
  return { groupEpoch: group.groupEpoch, assignmentEpoch: group.assignmentEpoch, topics: group.topics, target, members }
}

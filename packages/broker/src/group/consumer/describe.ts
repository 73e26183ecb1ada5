// How consumer groups look to the admin APIs: ConsumerGroupDescribe (the full KIP-848 view),
// DescribeGroups and ListGroups (protocol type "consumer", group type "consumer").
import type { ConsumerGroupDescribeResponseAssignment, ConsumerGroupDescribeResponseDescribedGroup } from '@brook/protocol'
import { GroupError } from '../errors.js'
import type { DescribedGroup, ListedGroup } from '../types.js'
import { type Assignment, toWire } from './assignment.js'
import type { ConsumerGroup } from './group.js'
import type { TopicResolver } from './topics.js'

export type ConsumerGroupDescription = ConsumerGroupDescribeResponseDescribedGroup

export const CONSUMER_PROTOCOL_TYPE = 'consumer'
/** ConsumerGroupDescribe v1 member type: the member speaks the consumer protocol. */
const MEMBER_TYPE_CONSUMER = 1
const MEMBER_TYPE_CLASSIC = 0
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

function described (a: Assignment, topics: TopicResolver, group: ConsumerGroup): ConsumerGroupDescribeResponseAssignment {
  return {
    topicPartitions: toWire(a).map((t) => ({
      topicId: t.topicId,
      topicName: topics.byId(t.topicId)?.name ?? group.topics.find((m) => m.topicId === t.topicId)?.topicName ?? '',
      partitions: t.partitions
    }))
  }
}

export function describeConsumerGroup (groupId: string, group: ConsumerGroup | undefined, topics: TopicResolver): ConsumerGroupDescription {
  if (group === undefined) {
    return {
      errorCode: GroupError.GROUP_ID_NOT_FOUND,
      errorMessage: `Group ${groupId} not found.`,
      groupId,
      groupState: 'Dead',
      groupEpoch: -1,
      assignmentEpoch: -1,
      assignorName: '',
      members: [],
      authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED
    }
  }
  let assignorName = ''
  for (const m of group.members.values()) if (m.metadata.serverAssignor !== null) assignorName = m.metadata.serverAssignor
  return {
    errorCode: GroupError.NONE,
    errorMessage: null,
    groupId,
    groupState: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignorName: assignorName === '' ? 'uniform' : assignorName,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.metadata.instanceId,
      rackId: m.metadata.rackId,
      memberEpoch: m.current.memberEpoch,
      clientId: m.metadata.clientId,
      clientHost: m.metadata.clientHost,
      subscribedTopicNames: m.metadata.subscribedTopicNames,
      subscribedTopicRegex: m.metadata.subscribedTopicRegex,
      assignment: described(m.current.assigned, topics, group),
      targetAssignment: described(group.targetOf(m.memberId), topics, group),
      memberType: m.metadata.classic == null ? MEMBER_TYPE_CONSUMER : MEMBER_TYPE_CLASSIC
    })),
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED
  }
}

/** DescribeGroups on a consumer group: its state and members, no classic protocol bytes. */
export function describeConsumerGroupClassic (group: ConsumerGroup): DescribedGroup {
  return {
    errorCode: GroupError.NONE,
    groupId: group.groupId,
    groupState: group.state,
    protocolType: CONSUMER_PROTOCOL_TYPE,
    protocolData: '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.metadata.instanceId,
      clientId: m.metadata.clientId,
      clientHost: m.metadata.clientHost,
      memberMetadata: Buffer.alloc(0),
      memberAssignment: Buffer.alloc(0)
    })),
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED
  }
}

export function listedConsumerGroup (group: ConsumerGroup): ListedGroup {
  return { groupId: group.groupId, protocolType: CONSUMER_PROTOCOL_TYPE, groupState: group.state, groupType: 'consumer' }
}

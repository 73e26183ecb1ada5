// The coordinator's request and response shapes. Field names follow Kafka's message schemas in
// camelCase, so a decoded request can be passed through and a result encoded without renaming;
// one shape serves every version (the handlers fill version defaults).

export interface RequestInfo {
  clientId: string
  clientHost: string
  apiVersion: number
}

export interface JoinProtocol {
  name: string
  metadata: Buffer
}

export interface JoinGroupInput {
  groupId: string
  sessionTimeoutMs: number
  /** v0 has none: the handler passes the session timeout, as Kafka does. */
  rebalanceTimeoutMs: number
  memberId: string
  groupInstanceId: string | null
  protocolType: string
  protocols: JoinProtocol[]
  reason?: string | null
}

export interface JoinGroupMember {
  memberId: string
  groupInstanceId: string | null
  metadata: Buffer
}

export interface JoinGroupResult {
  errorCode: number
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leader: string
  skipAssignment: boolean
  memberId: string
  members: JoinGroupMember[]
}

export interface SyncGroupInput {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
  protocolType: string | null
  protocolName: string | null
  assignments: Array<{ memberId: string, assignment: Buffer }>
}

export interface SyncGroupResult {
  errorCode: number
  protocolType: string | null
  protocolName: string | null
  assignment: Buffer
}

export interface HeartbeatInput {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
}

export interface LeaveMemberInput {
  memberId: string
  groupInstanceId: string | null
  reason?: string | null
}

export interface LeaveMemberResult {
  memberId: string
  groupInstanceId: string | null
  errorCode: number
}

export interface LeaveGroupResult {
  errorCode: number
  members: LeaveMemberResult[]
}

export interface OffsetCommitInput {
  groupId: string
  generationIdOrMemberEpoch: number
  memberId: string
  groupInstanceId: string | null
  /** v2-v4 only; -1 means "broker default". */
  retentionTimeMs: bigint
  topics: Array<{
    name: string
    partitions: Array<{
      partitionIndex: number
      committedOffset: bigint
      committedLeaderEpoch: number
      /** v1 only; -1 means "now". */
      commitTimestamp: bigint
      committedMetadata: string | null
    }>
  }>
}

export interface OffsetCommitResult {
  topics: Array<{ name: string, partitions: Array<{ partitionIndex: number, errorCode: number }> }>
}

/** TxnOffsetCommit with version defaults filled (v0-2 carry no membership: -1, "", null). */
export interface TxnOffsetCommitInput {
  groupId: string
  producerId: bigint
  producerEpoch: number
  generationId: number
  memberId: string
  groupInstanceId: string | null
  topics: Array<{
    name: string
    partitions: Array<{
      partitionIndex: number
      committedOffset: bigint
      /** -1 when unknown (and before v2). */
      committedLeaderEpoch: number
      committedMetadata: string | null
    }>
  }>
}

export type TxnOffsetCommitResult = OffsetCommitResult

export interface OffsetFetchGroupInput {
  groupId: string
  /** null: every partition with a committed offset. */
  topics: Array<{ name: string, partitionIndexes: number[] }> | null
  /** v7+: answer UNSTABLE_OFFSET_COMMIT for partitions with pending transactional offsets. */
  requireStable?: boolean
}

export interface OffsetFetchPartitionResult {
  partitionIndex: number
  committedOffset: bigint
  committedLeaderEpoch: number
  metadata: string | null
  errorCode: number
}

export interface OffsetFetchGroupResult {
  groupId: string
  topics: Array<{ name: string, partitions: OffsetFetchPartitionResult[] }>
  errorCode: number
}

interface DescribedGroupMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  memberMetadata: Buffer
  memberAssignment: Buffer
}

export interface DescribedGroup {
  errorCode: number
  groupId: string
  groupState: string
  protocolType: string
  protocolData: string
  members: DescribedGroupMember[]
  authorizedOperations: number
}

export interface ListedGroup {
  groupId: string
  protocolType: string
  groupState: string
  groupType: string
}

export interface OffsetDeleteInput {
  groupId: string
  topics: Array<{ name: string, partitions: Array<{ partitionIndex: number }> }>
}

export interface OffsetDeleteResult {
  errorCode: number
  topics: Array<{ name: string, partitions: Array<{ partitionIndex: number, errorCode: number }> }>
}

// A share group's membership (in memory): members with their epochs, subscriptions and current
// assignment, and the group epoch, bumped whenever membership, subscriptions or the computed
// assignment change. Share groups have no revocation step: a new assignment takes effect at once
// (a partition shared by two members is safe, records are what is locked).

export interface ShareMember {
  memberId: string
  memberEpoch: number
  clientId: string
  clientHost: string
  rackId: string | null
  subscribedTopicNames: string[]
  /** topicId -> partitions, as last computed for this member. */
  assignment: Map<string, number[]>
  assignmentKey: string
  /** The session deadline timer. */
  timer: NodeJS.Timeout | null
}

export class ShareGroup {
  readonly groupId: string
  groupEpoch = 0
  assignmentEpoch = 0
  readonly members = new Map<string, ShareMember>()
  /** The assignment the group epoch was computed for. */
  assignmentText = ''

  constructor (groupId: string) {
    this.groupId = groupId
  }

  get state (): 'Empty' | 'Stable' {
    return this.members.size === 0 ? 'Empty' : 'Stable'
  }
}

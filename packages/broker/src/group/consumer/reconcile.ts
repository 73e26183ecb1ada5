// Incremental reconciliation of one member towards its target assignment (Kafka's
// CurrentAssignmentBuilder), a pure function of the member's current assignment, the target and
// who else owns what:
//
//   STABLE at the target epoch ─────────────── nothing to do
//   partitions to give up ───▶ UNREVOKED_PARTITIONS: keeps only target ∩ owned, epoch unchanged;
//                               leaves that state once a heartbeat reports owned partitions
//                               without the revoked ones
//   nothing to give up ──────▶ epoch = target epoch; gets every target partition nobody else
//                               owns; STABLE, or UNRELEASED_PARTITIONS while some are still
//                               owned (assigned or pending revocation) by another member
//
// A partition is handed to a member only when no other member has it assigned or pending
// revocation, so a partition never has two owners.
import { type Assignment, add, emptyAssignment, has, partitionsOf, sizeOf } from './assignment.js'
import { type CurrentAssignment, MemberState } from './member.js'

export interface ReconcileInput {
  current: CurrentAssignment
  targetEpoch: number
  target: Assignment
  /** Partitions the member reported owning in this heartbeat; null when not reported. */
  owned: Assignment | null
  /** Whether another member owns (assigned or pending revocation) the partition. */
  ownedByOther: (topicId: string, partition: number) => boolean
}

export function reconcile (input: ReconcileInput): CurrentAssignment {
  const c = input.current
  if (c.state === MemberState.UNREVOKED_PARTITIONS) {
    if (input.owned === null || overlaps(input.owned, c.pendingRevocation)) return c
    return next({ ...c, pendingRevocation: emptyAssignment(), state: MemberState.STABLE }, input)
  }
  if (c.state === MemberState.STABLE && c.memberEpoch === input.targetEpoch) return c
  return next(c, input)
}

function next (c: CurrentAssignment, input: ReconcileInput): CurrentAssignment {
  const keep = emptyAssignment()
  const revoke = emptyAssignment()
  for (const [t, p] of partitionsOf(c.assigned)) add(has(input.target, t, p) ? keep : revoke, t, p)
  if (sizeOf(revoke) > 0) {
    return {
      memberEpoch: c.memberEpoch,
      previousMemberEpoch: c.previousMemberEpoch,
      state: MemberState.UNREVOKED_PARTITIONS,
      assigned: keep,
      pendingRevocation: revoke
    }
  }
  let unreleased = false
  for (const [t, p] of partitionsOf(input.target)) {
    if (has(keep, t, p)) continue
    if (input.ownedByOther(t, p)) unreleased = true
    else add(keep, t, p)
  }
  return {
    memberEpoch: input.targetEpoch,
    previousMemberEpoch: input.targetEpoch === c.memberEpoch ? c.previousMemberEpoch : c.memberEpoch,
    state: unreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE,
    assigned: keep,
    pendingRevocation: emptyAssignment()
  }
}

function overlaps (a: Assignment, b: Assignment): boolean {
  for (const [t, p] of partitionsOf(b)) if (has(a, t, p)) return true
  return false
}

// What a partition reassignment (AlterPartitionReassignments) does to one partition's state, as
// Kafka's controller does it, decided from the current state alone so that any controller (a new
// one after a failover included) takes the same next step:
// - start: the replica set becomes the target followed by the original replicas leaving; the
//   target's new members are "adding", the leaving ones "removing". The original set is the
//   current one without the replicas an earlier reassignment was adding, so a new target
//   replaces an ongoing reassignment instead of stacking on it;
// - complete: once every target replica is in the ISR, the replica set becomes the target, the
//   leaving replicas leave the ISR, and leadership moves to the first target replica in the ISR
//   when the leader is leaving (a reassignment that only reorders or shrinks completes at once);
// - cancel (null target): back to the original set, adding replicas out of the ISR;
//   NO_REASSIGNMENT_IN_PROGRESS when there is none.
import { NO_LEADER, type PartitionMetadata, type ReplicaSetChange } from '@brook/metadata'
import { ErrorCode } from '@brook/protocol'

/** One step written to the store: the partition's next leader, ISR and replica set. */
export interface ReassignmentStep {
  leader: number
  isr: number[]
  reassignment: ReplicaSetChange
}

export type ReassignmentDecision =
  | { kind: 'change', step: ReassignmentStep }
  | { kind: 'none' }
  | { kind: 'refused', errorCode: number, message: string }

export interface Brokers {
  /** Registered in the cluster (may be a replica). */
  registered: (id: number) => boolean
  /** Live and not a restart the controller has yet to fence (may lead). */
  canLead: (id: number) => boolean
}

export function reassigning (p: PartitionMetadata): boolean {
  return p.addingReplicas.length > 0 || p.removingReplicas.length > 0
}

/** The replica set before the ongoing reassignment (the current one when none is ongoing). */
export function originalReplicas (p: PartitionMetadata): number[] {
  return p.replicas.filter((r) => !p.addingReplicas.includes(r))
}

/** The replica set the ongoing reassignment moves to (the current one when none is ongoing). */
export function targetReplicas (p: PartitionMetadata): number[] {
  return p.replicas.filter((r) => !p.removingReplicas.includes(r))
}

export function decideReassignment (p: PartitionMetadata, target: readonly number[] | null, brokers: Brokers): ReassignmentDecision {
  if (target === null) return cancel(p, brokers)
  const invalid = checkTarget(p, target, brokers)
  if (invalid !== null) return { kind: 'refused', errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: invalid }
  const original = originalReplicas(p)
  const adding = target.filter((r) => !original.includes(r))
  const removing = original.filter((r) => !target.includes(r))
  const replicas = [...target, ...removing]
  if (!reassigning(p) && sameOrder(replicas, p.replicas) && adding.length === 0 && removing.length === 0) return { kind: 'none' }
  const started: ReassignmentStep = {
    leader: p.leader,
    isr: p.isr.filter((r) => replicas.includes(r)),
    reassignment: { replicas, addingReplicas: adding, removingReplicas: removing }
  }
  started.leader = keptLeader(p.leader, started.isr, replicas, brokers)
  return { kind: 'change', step: completed(started, brokers) ?? started }
}

/** The completing step of an ongoing reassignment, or null while it must still wait. */
export function decideCompletion (p: PartitionMetadata, brokers: Brokers): ReassignmentStep | null {
  if (!reassigning(p)) return null
  return completed({
    leader: p.leader,
    isr: [...p.isr],
    reassignment: { replicas: [...p.replicas], addingReplicas: [...p.addingReplicas], removingReplicas: [...p.removingReplicas] }
  }, brokers)
}

function completed (step: ReassignmentStep, brokers: Brokers): ReassignmentStep | null {
  const { replicas, removingReplicas } = step.reassignment
  const target = replicas.filter((r) => !removingReplicas.includes(r))
  if (!target.every((r) => step.isr.includes(r))) return null
  const isr = step.isr.filter((r) => target.includes(r))
  const leader = keptLeader(step.leader, isr, target, brokers)
  if (leader === NO_LEADER) return null
  return { leader, isr, reassignment: { replicas: target, addingReplicas: [], removingReplicas: [] } }
}

function cancel (p: PartitionMetadata, brokers: Brokers): ReassignmentDecision {
  if (!reassigning(p)) {
    return { kind: 'refused', errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, message: 'No partition reassignment is in progress for this partition.' }
  }
  const replicas = originalReplicas(p)
  const isr = p.isr.filter((r) => replicas.includes(r))
  return {
    kind: 'change',
    step: { leader: keptLeader(p.leader, isr, replicas, brokers), isr, reassignment: { replicas, addingReplicas: [], removingReplicas: [] } }
  }
}

/** The leader stays while it is in the new set; otherwise the first of the set in the ISR that can lead. */
function keptLeader (leader: number, isr: readonly number[], replicas: readonly number[], brokers: Brokers): number {
  if (leader !== NO_LEADER && replicas.includes(leader) && isr.includes(leader)) return leader
  return replicas.find((r) => isr.includes(r) && brokers.canLead(r)) ?? NO_LEADER
}

function checkTarget (p: PartitionMetadata, target: readonly number[], brokers: Brokers): string | null {
  if (target.length === 0) return 'The replica list is empty.'
  if (!target.every((r) => Number.isSafeInteger(r) && r >= 0)) return `The replica list ${JSON.stringify(target)} holds an invalid broker id.`
  if (new Set(target).size !== target.length) return `The replica list ${JSON.stringify(target)} has duplicate broker ids.`
  const unknown = target.filter((r) => !p.replicas.includes(r) && !brokers.registered(r))
  if (unknown.length > 0) return `The replica list includes brokers ${JSON.stringify(unknown)} that are not registered.`
  return null
}

function sameOrder (a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => b[i] === id)
}

// The classic group state machine as a transition table (Kafka's ClassicGroupState).
//
//   Empty ──join──▶ PreparingRebalance ──all joined / rebalance timeout──▶ CompletingRebalance
//     ▲                  ▲   │                                                  │
//     │ last member      │   └──no member left──▶ Empty                         │ leader's SyncGroup
//     │ gone             └────────member change / leader rejoin───── Stable ◀───┘ persisted
//   Dead: terminal, entered when the group is deleted, expires or is unloaded.
//
// The table lists, for each target state, the states it may be entered from; a transition that is
// not in the table is a programming error and throws (the group would otherwise be wedged silently).

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

export const GROUP_STATES: readonly GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead']

/** target state -> the states it may be entered from */
export const VALID_PREVIOUS_STATES: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead']
}

export function canTransition (from: GroupState, to: GroupState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from)
}

export class IllegalTransitionError extends Error {
  constructor (groupId: string, from: GroupState, to: GroupState) {
    super(`group ${groupId}: illegal transition ${from} -> ${to} (allowed from: ${VALID_PREVIOUS_STATES[to].join(', ')})`)
    this.name = 'IllegalTransitionError'
  }
}

export function assertTransition (groupId: string, from: GroupState, to: GroupState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(groupId, from, to)
}

/** A rebalance can start from every state PreparingRebalance may be entered from. */
export function canRebalance (state: GroupState): boolean {
  return canTransition(state, 'PreparingRebalance')
}

/** ListGroups v4+ state filters are matched case-insensitively against these names. */
export function parseGroupState (name: string): GroupState | undefined {
  const lower = name.toLowerCase()
  return GROUP_STATES.find((s) => s.toLowerCase() === lower)
}

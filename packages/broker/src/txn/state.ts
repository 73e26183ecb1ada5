// Transaction states (the `transactionStatus` byte of TransactionLogValue) and the transition
// table: a state may be entered only from the states listed for it (Kafka's TransactionState
// validPreviousStates). The coordinator checks a request against the current state first and
// answers wrong-state calls with a Kafka error code; a transition outside this table is a Brook
// bug and fails loudly (IllegalTxnTransition).
//
//                 AddPartitions/AddOffsets           EndTxn(commit)            markers written
//   Empty ──────────────────────────────▶ Ongoing ────────────────▶ PrepareCommit ──────────▶ CompleteCommit
//     ▲  InitProducerId (epoch bump)      │  │ EndTxn(abort), timeout                              │
//     │                                   │  └──────────────────────▶ PrepareAbort ───────────▶ CompleteAbort
//     │                                   │ InitProducerId while open   ▲                          │
//     │                                   └──▶ PrepareEpochFence ───────┘ (epoch bumped, never   │
//     │                                                                   written to the log)     │
//     └───────────────────────────── InitProducerId / next AddPartitions ◀────────────────────────┘
//   Empty, CompleteCommit, CompleteAbort ──(transactional.id.expiration.ms)──▶ Dead (tombstone)

export const TxnState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7
} as const

export type TxnState = typeof TxnState[keyof typeof TxnState]

const { Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, Dead, PrepareEpochFence } = TxnState

/** For each state, the states it may be entered from. */
export const VALID_PREVIOUS_STATES: Readonly<Record<TxnState, readonly TxnState[]>> = {
  [Empty]: [Empty, CompleteCommit, CompleteAbort],
  [Ongoing]: [Ongoing, Empty, CompleteCommit, CompleteAbort],
  [PrepareCommit]: [Ongoing],
  [PrepareAbort]: [Ongoing, PrepareEpochFence],
  [CompleteCommit]: [PrepareCommit],
  [CompleteAbort]: [PrepareAbort],
  [Dead]: [Empty, CompleteCommit, CompleteAbort],
  [PrepareEpochFence]: [Ongoing]
}

/** The names DescribeTransactions and ListTransactions use. */
const TXN_STATE_NAMES: Readonly<Record<TxnState, string>> = {
  [Empty]: 'Empty',
  [Ongoing]: 'Ongoing',
  [PrepareCommit]: 'PrepareCommit',
  [PrepareAbort]: 'PrepareAbort',
  [CompleteCommit]: 'CompleteCommit',
  [CompleteAbort]: 'CompleteAbort',
  [Dead]: 'Dead',
  [PrepareEpochFence]: 'PrepareEpochFence'
}

const BY_NAME = new Map<string, TxnState>(Object.entries(TXN_STATE_NAMES).map(([id, name]) => [name, Number(id) as TxnState]))

export function txnStateName (state: TxnState): string {
  return TXN_STATE_NAMES[state]
}

export function parseTxnStateName (name: string): TxnState | undefined {
  return BY_NAME.get(name)
}

export function isTxnState (n: number): n is TxnState {
  return Number.isInteger(n) && n >= Empty && n <= PrepareEpochFence
}

export function canTransition (from: TxnState, to: TxnState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from)
}

/** States in which transactional.id.expiration.ms may remove the id. */
export function isExpirationAllowed (state: TxnState): boolean {
  return state === Empty || state === CompleteCommit || state === CompleteAbort
}

/** A transition outside the table: a coordinator bug, never a client error. */
export class IllegalTxnTransition extends Error {
  constructor (transactionalId: string, from: TxnState, to: TxnState) {
    super(`BROOK_ILLEGAL_TXN_TRANSITION: ${transactionalId} cannot go from ${txnStateName(from)} to ${txnStateName(to)}`)
    this.name = 'IllegalTxnTransition'
  }
}

import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  GROUP_STATES, IllegalTransitionError, VALID_PREVIOUS_STATES, assertTransition, canRebalance, canTransition, parseGroupState
} from '../../src/group/classic/state.js'

test('the transition table is Kafka\'s classic group table', () => {
  const allowed = new Set<string>()
  for (const to of GROUP_STATES) for (const from of VALID_PREVIOUS_STATES[to]) allowed.add(`${from}->${to}`)
  assert.deepEqual([...allowed].sort(), [
    'CompletingRebalance->Dead',
    'CompletingRebalance->PreparingRebalance',
    'CompletingRebalance->Stable',
    'Dead->Dead',
    'Empty->Dead',
    'Empty->PreparingRebalance',
    'PreparingRebalance->CompletingRebalance',
    'PreparingRebalance->Dead',
    'PreparingRebalance->Empty',
    'Stable->Dead',
    'Stable->PreparingRebalance'
  ])
})

test('every pair outside the table is refused', () => {
  for (const from of GROUP_STATES) {
    for (const to of GROUP_STATES) {
      const ok = VALID_PREVIOUS_STATES[to].includes(from)
      assert.equal(canTransition(from, to), ok, `${from} -> ${to}`)
      if (ok) assertTransition('g', from, to)
      else assert.throws(() => { assertTransition('g', from, to) }, IllegalTransitionError)
    }
  }
  // A Dead group never comes back, and a group cannot skip the sync phase.
  assert.equal(canTransition('Dead', 'Empty'), false)
  assert.equal(canTransition('PreparingRebalance', 'Stable'), false)
  assert.equal(canTransition('Empty', 'Stable'), false)
})

test('rebalances start from Empty, Stable and CompletingRebalance only', () => {
  assert.deepEqual(GROUP_STATES.filter(canRebalance), ['Empty', 'CompletingRebalance', 'Stable'])
})

test('state names parse case-insensitively (ListGroups filters)', () => {
  assert.equal(parseGroupState('stable'), 'Stable')
  assert.equal(parseGroupState('PREPARINGREBALANCE'), 'PreparingRebalance')
  assert.equal(parseGroupState('Assigning'), undefined)
})

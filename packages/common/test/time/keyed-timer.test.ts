import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualTime, SystemTimer } from '../../src/time/keyed-timer.js'

test('ManualTime runs due tasks in deadline order and scheduling a key again replaces it', { timeout: 5_000 }, () => {
  const time = new ManualTime(1000)
  const ran: string[] = []
  time.schedule('a', 30, () => ran.push(`a@${time.now()}`))
  time.schedule('b', 10, () => ran.push(`b@${time.now()}`))
  time.schedule('b', 20, () => ran.push(`b2@${time.now()}`))
  time.schedule('c', 50, () => ran.push('c'))
  time.cancel('c')
  assert.equal(time.deadline('b'), 1020)
  time.advance(40)
  assert.deepEqual(ran, ['b2@1020', 'a@1030'])
  assert.equal(time.now(), 1040)
  assert.equal(time.isScheduled('c'), false)
})

test('SystemTimer fires once per key, and cancelAll stops everything', { timeout: 5_000 }, async () => {
  const timer = new SystemTimer()
  const ran: string[] = []
  timer.schedule('x', 5, () => ran.push('x1'))
  timer.schedule('x', 5, () => ran.push('x2'))
  timer.schedule('y', 5, () => ran.push('y'))
  timer.cancel('y')
  timer.schedule('z', 5, () => ran.push('z'))
  timer.cancelAll()
  timer.schedule('w', 5, () => ran.push('w'))
  await new Promise((resolve) => setTimeout(resolve, 30))
  assert.deepEqual(ran, ['w'])
  assert.equal(timer.isScheduled('w'), false)
})

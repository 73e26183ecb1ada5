import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SerialQueue } from '../src/serial-queue.js'

test('tasks run one at a time in arrival order, and a failure does not stop the next', { timeout: 5_000 }, async () => {
  const queue = new SerialQueue()
  const log: string[] = []
  let running = 0
  const task = (name: string, fail = false) => async (): Promise<string> => {
    running++
    assert.equal(running, 1, 'never two at once')
    await new Promise((resolve) => setTimeout(resolve, 2))
    log.push(name)
    running--
    if (fail) throw new Error(name)
    return name
  }
  const a = queue.run(task('a'))
  const b = queue.run(task('b', true))
  const c = queue.run(task('c'))
  assert.equal(queue.pending, 3)
  assert.equal(await a, 'a')
  await assert.rejects(b, /b/)
  assert.equal(await c, 'c')
  assert.deepEqual(log, ['a', 'b', 'c'])
  assert.equal(queue.pending, 0)
})

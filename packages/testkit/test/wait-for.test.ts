import { test } from 'node:test'
import assert from 'node:assert/strict'
import { waitFor } from '@brook/testkit'

test('waitFor returns the first truthy result, retrying through errors', async () => {
  let calls = 0
  const result = await waitFor(() => {
    calls++
    if (calls < 3) throw new Error('not yet')
    return calls === 4 ? 'done' : undefined
  }, 2000, { intervalMs: 1 })
  assert.equal(result, 'done')
  assert.equal(calls, 4)
})

test('waitFor rejects after the timeout with the last error as cause', async () => {
  const started = Date.now()
  await assert.rejects(waitFor(() => { throw new Error('still broken') }, 100, { intervalMs: 10, message: 'the thing' }), (err: Error) => {
    assert.match(err.message, /the thing not met within 100 ms/)
    assert.equal((err.cause as Error).message, 'still broken')
    return true
  })
  assert.ok(Date.now() - started >= 100)
})

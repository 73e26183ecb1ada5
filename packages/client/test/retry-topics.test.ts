import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, exponentialDelays, IllegalStateError } from '../src/index.js'
import { readRetryState, retryHeaders, RetryHeader } from '../src/retry/retry-headers.js'

const client = new Client({ brokers: ['127.0.0.1:1'] })

test('retry topic names per attempt, then the dead-letter topic', { timeout: 5_000 }, async () => {
  const topics = client.retryingConsumer({ groupId: 'g' }, { delaysMs: [100, 200] })
  assert.deepEqual([0, 1, 2, 5].map((a) => topics.nextTopic('orders', a)), ['orders.retry-1', 'orders.retry-2', 'orders.dlt', 'orders.dlt'])
  const scheduled = client.retryingConsumer({ groupId: 'g' }, { delaysMs: [100, 200], mode: 'scheduled' })
  assert.deepEqual([0, 1, 2].map((a) => scheduled.nextTopic('orders', a)), ['orders.retry', 'orders.retry', 'orders.dlt'])
  await topics.close()
  await scheduled.close()
})

test('suffixes that would loop and bad delays are refused', { timeout: 5_000 }, () => {
  assert.throws(() => client.retryingConsumer({ groupId: 'g' }, { retryTopicSuffix: '' }), IllegalStateError)
  assert.throws(() => client.retryingConsumer({ groupId: 'g' }, { retryTopicSuffix: '.x', deadLetterTopicSuffix: '.x' }), IllegalStateError)
  assert.throws(() => client.retryingConsumer({ groupId: 'g' }, { delaysMs: [-1] }), IllegalStateError)
})

test('exponential delays and the retry headers: one set, replaced on each hand-on, own headers kept', { timeout: 5_000 }, () => {
  assert.deepEqual(exponentialDelays(5, 500, 2, 3000), [500, 1000, 2000, 3000, 3000])
  const first = retryHeaders([{ key: 'trace', value: Buffer.from('t1') }], { attempt: 1, original: { topic: 'orders', partition: 2, offset: 40n }, error: new Error('boom'), delayMs: 500 })
  const asRead = first.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) }))
  assert.deepEqual(readRetryState(asRead), { attempt: 1, original: { topic: 'orders', partition: 2, offset: 40n } })
  const second = retryHeaders(asRead, { attempt: 2, original: { topic: 'orders', partition: 2, offset: 40n }, error: 'again', delayMs: null })
  assert.equal(second.filter((h) => h.key === RetryHeader.attempt).length, 1)
  assert.equal(second.find((h) => h.key === RetryHeader.attempt)?.value, '2')
  assert.equal(second.find((h) => h.key === RetryHeader.delay), undefined, 'no delay header on a dead letter')
  assert.equal(second.find((h) => h.key === 'trace')?.value?.toString(), 't1')
  assert.equal(second.find((h) => h.key === RetryHeader.error)?.value, 'again')
  assert.deepEqual(readRetryState([]), { attempt: 0, original: null })
})

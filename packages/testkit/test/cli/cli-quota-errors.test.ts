// brook quota's errors: the broker's validation errors (a byte rate on an IP, a value of 0) exit
// 1 with the broker's message; a missing entity or a value that is not a number exit 2 before
// anything is sent.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestBroker } from '@brook/testkit'
import { brook } from './brook.js'

test('brook quota: the broker\'s validation errors exit 1, usage errors 2', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker()
  const b = ['-b', broker.bootstrap]
  try {
    // The broker's checks: an IP entity takes only connection_creation_rate; values must be > 0.
    const wrongKey = await brook(['quota', 'set', '--ip', '10.0.0.7', 'producer_byte_rate=5', ...b])
    assert.equal(wrongKey.code, 1)
    assert.match(wrongKey.stderr, /INVALID_REQUEST.*Invalid configuration key producer_byte_rate/s)
    const zero = await brook(['quota', 'set', '--user', 'bob', 'producer_byte_rate=0', ...b])
    assert.equal(zero.code, 1)
    assert.match(zero.stderr, /must be greater than 0/)
    const noEntity = await brook(['quota', 'set', 'producer_byte_rate=5', ...b])
    assert.equal(noEntity.code, 2)
    assert.match(noEntity.stderr, /name the entity/)
    const notNumber = await brook(['quota', 'set', '--user', 'bob', 'producer_byte_rate=fast', ...b])
    assert.equal(notNumber.code, 2)
  } finally {
    await broker.close()
  }
})

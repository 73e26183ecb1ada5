import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, isRetriable } from '@brook/protocol'
import { KafkaError, KafkaErrors, kafkaError } from '../src/index.js'
import { withRetry } from '../src/errors/retry.js'

test('one class per Kafka error code, with code, name and retriable flag', { timeout: 5_000 }, () => {
  for (const [name, code] of Object.entries(ErrorCode)) {
    if (code === 0) continue
    const cls = KafkaErrors[name as keyof typeof KafkaErrors]
    assert.equal(cls.code, code, name)
    const err = kafkaError(code, 'detail')
    assert.ok(err instanceof cls, name)
    assert.ok(err instanceof KafkaError)
    assert.equal(err.kafkaName, name)
    assert.equal(err.retriable, isRetriable(code))
    assert.match(err.message, new RegExp(`^${name} \\(${code}\\): detail: `))
  }
  assert.ok(!(kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER) instanceof KafkaErrors.TOPIC_ALREADY_EXISTS))
  assert.equal(new KafkaErrors.NOT_LEADER_OR_FOLLOWER().name, 'NotLeaderOrFollowerError')
})

test('messages say what to do', { timeout: 5_000 }, () => {
  assert.match(kafkaError(ErrorCode.TOPIC_ALREADY_EXISTS).message, /exists already/)
  assert.match(kafkaError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL).message, /shared assignor/)
  assert.match(kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER).message, /refreshes metadata and retries/)
  assert.match(kafkaError(9999).message, /UNKNOWN_ERROR_9999/)
})

test('withRetry retries retriable errors with back-off, and stops at non-retriable ones', { timeout: 10_000 }, async () => {
  let calls = 0
  const value = await withRetry(async () => {
    if (++calls < 3) throw kafkaError(ErrorCode.LEADER_NOT_AVAILABLE)
    return 'ok'
  }, { initialRetryTimeMs: 5 })
  assert.equal(value, 'ok')
  assert.equal(calls, 3)
  calls = 0
  await assert.rejects(withRetry(async () => { calls++; throw kafkaError(ErrorCode.TOPIC_ALREADY_EXISTS) }), KafkaErrors.TOPIC_ALREADY_EXISTS)
  assert.equal(calls, 1)
  calls = 0
  await assert.rejects(withRetry(async () => { calls++; throw kafkaError(ErrorCode.NOT_COORDINATOR) }, { retries: 2, initialRetryTimeMs: 1 }), KafkaErrors.NOT_COORDINATOR)
  assert.equal(calls, 3)
})

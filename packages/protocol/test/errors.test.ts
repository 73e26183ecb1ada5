import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, errorName, isRetriable } from '../src/errors.js'

test('error codes match Kafka numbering', () => {
  assert.equal(ErrorCode.UNKNOWN_SERVER_ERROR, -1)
  assert.equal(ErrorCode.NONE, 0)
  assert.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 3)
  assert.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6)
  assert.equal(ErrorCode.UNSUPPORTED_VERSION, 35)
  assert.equal(ErrorCode.MEMBER_ID_REQUIRED, 79)
})

test('errorName inverts the table and names unknown codes', () => {
  for (const [name, code] of Object.entries(ErrorCode)) assert.equal(errorName(code), name)
  assert.equal(errorName(9999), 'UNKNOWN_ERROR_9999')
})

test('retriable flags follow the clients', () => {
  assert.equal(isRetriable(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), true)
  assert.equal(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER), true)
  assert.equal(isRetriable(ErrorCode.OFFSET_OUT_OF_RANGE), false)
  assert.equal(isRetriable(ErrorCode.NONE), false)
  assert.equal(isRetriable(9999), false)
})

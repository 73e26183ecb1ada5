import { test } from 'node:test'
import assert from 'node:assert/strict'
import { invalidTopicNameReason } from '../../src/cluster/topic-name.js'

test('Kafka topic name rules', () => {
  for (const ok of ['a', 'orders.v1', 'A_b-C.9', 'x'.repeat(249)]) assert.equal(invalidTopicNameReason(ok), null, ok)
  for (const bad of ['', '.', '..', 'x'.repeat(250), 'has space', 'slash/y', 'ünïcode', null]) {
    assert.notEqual(invalidTopicNameReason(bad), null, String(bad))
  }
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { partitionForKey } from '@brook/protocol'
import { defaultPartitioner } from '../src/index.js'

test('keyed records: murmur2; keyless records stick until their batch closes', { timeout: 5_000 }, () => {
  const p = defaultPartitioner()
  const key = Buffer.from('user-42')
  assert.equal(p.partition({ topic: 't', key, value: null, partitionCount: 12 }), partitionForKey(key, 12))
  const first = p.partition({ topic: 't', key: null, value: null, partitionCount: 1000 })
  for (let i = 0; i < 50; i++) assert.equal(p.partition({ topic: 't', key: null, value: null, partitionCount: 1000 }), first)
  // After the batch closes the choice moves on (a new random pick; 1000 partitions make a repeat unlikely twice in a row).
  const picks = new Set<number>()
  for (let i = 0; i < 5; i++) {
    p.batchClosed('t', p.partition({ topic: 't', key: null, value: null, partitionCount: 1000 }))
    picks.add(p.partition({ topic: 't', key: null, value: null, partitionCount: 1000 }))
  }
  assert.ok(picks.size > 1)
})

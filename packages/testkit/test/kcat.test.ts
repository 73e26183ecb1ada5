import { test } from 'node:test'
import assert from 'node:assert/strict'
import { byPartition } from '@brook/testkit'

test('byPartition groups by partition and sorts each by offset', () => {
  const grouped = byPartition([
    { partition: 1, offset: 5 }, { partition: 0, offset: 2 }, { partition: 1, offset: 3 }, { partition: 0, offset: 0 }
  ])
  assert.deepEqual([...grouped.keys()].sort(), [0, 1])
  assert.deepEqual(grouped.get(0)?.map((m) => m.offset), [0, 2])
  assert.deepEqual(grouped.get(1)?.map((m) => m.offset), [3, 5])
})

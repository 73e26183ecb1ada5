// `brook cluster reassign` plan files: Kafka's format parsed and checked (a bad plan is a usage
// error, before anything is sent), and --generate's round-robin placement.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generatePlan, parsePlan } from '../src/commands/cluster-reassign.js'
import { UsageError } from '../src/errors.js'

test('plan files: Kafka\'s format, checked entry by entry', { timeout: 5_000 }, () => {
  assert.deepEqual(parsePlan('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3,4],"log_dirs":["any","any","any"]}]}'),
    [{ topic: 't', partition: 0, replicas: [2, 3, 4] }])
  for (const bad of ['not json', '{}', '{"partitions":[]}', '{"partitions":[{"topic":"t","partition":0,"replicas":[]}]}',
    '{"partitions":[{"topic":"t","partition":0,"replicas":[1,1]}]}', '{"partitions":[{"topic":"t","partition":"0","replicas":[1]}]}',
    '{"partitions":[{"partition":0,"replicas":[1]}]}', '{"partitions":[{"topic":"t","partition":0,"replicas":[-1]}]}', 'null']) {
    assert.throws(() => parsePlan(bad), UsageError, bad)
  }
})

test('--generate spreads each partition\'s replicas round-robin over the brokers, keeping the replication factor', { timeout: 5_000 }, () => {
  const topics = [
    { name: 'a', partitions: [{ partition: 0, replicas: [1, 2] }, { partition: 1, replicas: [2, 1] }] },
    { name: 'b', partitions: [{ partition: 0, replicas: [3] }] }
  ]
  assert.deepEqual(generatePlan(topics, [2, 3, 4]), [
    { topic: 'a', partition: 0, replicas: [2, 3] },
    { topic: 'a', partition: 1, replicas: [3, 4] },
    { topic: 'b', partition: 0, replicas: [4] }
  ])
  assert.throws(() => generatePlan(topics, [5]), UsageError)
})

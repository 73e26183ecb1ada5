// AlterPartitionReassignments / ListPartitionReassignments on a single broker (no cluster): a
// partition's only replica stays where it is, so the only valid target is this broker; Brook's
// admin client sees Kafka's codes for everything else, and nothing is ever being reassigned.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, ErrorCode } from '@brook/client'
import { startTestBroker } from '@brook/testkit'

test('single broker: reassignment answers with Kafka\'s codes, none in progress', { timeout: 30_000 }, async () => {
  const broker = await startTestBroker()
  const admin = new Client({ brokers: [broker.bootstrap] }).admin()
  try {
    await admin.createTopics([{ topic: 'solo', numPartitions: 1 }])
    const results = await admin.alterPartitionReassignments([
      { topic: 'solo', partition: 0, replicas: [broker.nodeId] },
      { topic: 'solo', partition: 0, replicas: [broker.nodeId, broker.nodeId + 1] },
      { topic: 'solo', partition: 0, replicas: null },
      { topic: 'absent', partition: 0, replicas: [broker.nodeId] }
    ])
    assert.deepEqual(results.map((r) => r.errorCode), [
      ErrorCode.NONE, ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    ])
    assert.deepEqual(await admin.listPartitionReassignments(), [])
    assert.deepEqual(await admin.listPartitionReassignments([{ topic: 'solo', partitions: [0] }]), [])
  } finally {
    await admin.close()
    await broker.close()
  }
})

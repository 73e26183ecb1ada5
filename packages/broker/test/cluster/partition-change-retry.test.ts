// The controller's decide-and-write loop for one partition change, on hand-made snapshots: a write
// that raced another writer is decided again from a newer snapshot, a few times; other failures
// end it at once with their own code.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { silentLogger } from '@brook/common'
import { ErrorCode } from '@brook/protocol'
import { MetadataError, type ControllerSession, type MetadataSnapshot, type PartitionMetadata, type TopicMetadata } from '@brook/metadata'
import { changePartitionWithRetry, type PartitionChangeDeps } from '../../src/cluster/partition-change-retry.js'

function snapshotAt (revision: number): MetadataSnapshot {
  const p: PartitionMetadata = { partition: 0, replicas: [1, 2], leader: 1, leaderEpoch: 1, partitionEpoch: revision, isr: [1, 2], offlineReplicas: [], addingReplicas: [], removingReplicas: [] }
  const topic: TopicMetadata = { id: '00000000-0000-0000-0000-000000000001', name: 't', configs: {}, partitions: [p] }
  return { revision, brokers: new Map(), controller: null, topics: new Map([['t', topic]]), topicsById: new Map([[topic.id, topic]]) }
}

function depsOf (active = true): PartitionChangeDeps & { errors: string[] } {
  let revision = 0
  const errors: string[] = []
  const election: ControllerSession = { brokerId: 1, epoch: 1, active, resign: async () => {} }
  return {
    election,
    snapshot: () => snapshotAt(++revision),
    logger: { ...silentLogger, error: (_obj, msg) => { errors.push(msg ?? '') } },
    errors
  }
}

const target = { topic: 't', partition: 0 }

test('a raced write is decided again from a newer snapshot until it succeeds', { timeout: 10_000 }, async () => {
  const deps = depsOf()
  const seen: number[] = []
  const outcome = await changePartitionWithRetry(deps, target, 'change failed', (snapshot, _topic, p) => ({
    write: async () => {
      seen.push(p.partitionEpoch)
      if (seen.length === 1) throw new MetadataError('INVALID_UPDATE_VERSION', 'moved on')
      if (seen.length === 2) throw new MetadataError('INELIGIBLE_REPLICA', 'left the ISR')
      assert.equal(snapshot.revision, 3)
    }
  }))
  assert.deepEqual(outcome, { errorCode: ErrorCode.NONE, message: null })
  assert.deepEqual(seen, [1, 2, 3], 'each attempt decided on a newer snapshot')
})

test('a write that keeps racing gives up after five attempts with the race error', { timeout: 10_000 }, async () => {
  const deps = depsOf()
  let attempts = 0
  const outcome = await changePartitionWithRetry(deps, target, 'change failed', () => ({
    write: async () => {
      attempts++
      throw new MetadataError('FENCED_LEADER_EPOCH', 'fenced')
    }
  }))
  assert.equal(attempts, 5)
  assert.equal(outcome.errorCode, ErrorCode.FENCED_LEADER_EPOCH)
  assert.deepEqual(deps.errors, [])
})

test('other failures end the change at once: a store error with its code, anything else logged as unknown', { timeout: 10_000 }, async () => {
  const deps = depsOf()
  let attempts = 0
  const refused = await changePartitionWithRetry(deps, target, 'change failed', () => ({
    write: async () => {
      attempts++
      throw new MetadataError('NOT_CONTROLLER', 'superseded')
    }
  }))
  assert.equal(attempts, 1)
  assert.equal(refused.errorCode, ErrorCode.NOT_CONTROLLER)
  const broken = await changePartitionWithRetry(deps, target, 'change failed', () => ({ write: async () => { throw new Error('boom') } }))
  assert.deepEqual(broken, { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message: 'boom' })
  assert.deepEqual(deps.errors, ['change failed'])
})

test('no write without the controllership, for an unknown partition, or when the decision is final', { timeout: 10_000 }, async () => {
  const write = async (): Promise<void> => { assert.fail('nothing is written') }
  assert.equal((await changePartitionWithRetry(depsOf(false), target, 'change failed', () => ({ write }))).errorCode, ErrorCode.NOT_CONTROLLER)
  assert.equal((await changePartitionWithRetry(depsOf(), { topic: 't', partition: 1 }, 'change failed', () => ({ write }))).errorCode,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  assert.equal((await changePartitionWithRetry(depsOf(), { topic: 'u', partition: 0 }, 'change failed', () => ({ write }))).errorCode,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  assert.deepEqual(await changePartitionWithRetry(depsOf(), target, 'change failed', () => ({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: 'no' })),
    { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: 'no' })
})

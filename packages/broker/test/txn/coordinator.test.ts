import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@brook/protocol'
import { MemoryCoordinatorLog } from '../../src/coordinator/log.js'
import { decodeTxnRecord } from '../../src/txn/records.js'
import { TxnState } from '../../src/txn/state.js'
import { type Harness, RecordingMarkers, advance, startHarness } from './harness.js'

const A0 = { topic: 'a', partition: 0 }
const A1 = { topic: 'a', partition: 1 }
const B0 = { topic: 'b', partition: 0 }

async function begin (h: Harness, id: string, partitions = [A0, B0], timeoutMs = 60_000): Promise<{ producerId: bigint, producerEpoch: number }> {
  const init = await h.coordinator.initProducerId(id, timeoutMs, null)
  assert.equal(init.errorCode, ErrorCode.NONE)
  assert.equal(await h.coordinator.addPartitions(id, init.producerId, init.producerEpoch, partitions), ErrorCode.NONE)
  return init
}

function stateOf (h: Harness, id: string): string {
  return h.coordinator.describe(id).transactionState
}

test('InitProducerId allocates an id once and bumps the epoch on every call', async () => {
  const h = await startHarness()
  const first = await h.coordinator.initProducerId('tx', 60_000, null)
  assert.deepEqual(first, { errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 0 })
  const second = await h.coordinator.initProducerId('tx', 30_000, null)
  assert.deepEqual(second, { errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 1 })
  assert.equal(h.nextProducerId(), 1001, 'one allocation')
  assert.equal(h.coordinator.describe('tx').transactionTimeoutMs, 30_000)
  const other = await h.coordinator.initProducerId('other', 60_000, null)
  assert.equal(other.producerId, 1001n)
  assert.equal((await h.coordinator.initProducerId('tx', 0, null)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT)
  assert.equal((await h.coordinator.initProducerId('tx', 900_001, null)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT)
  assert.equal((await h.coordinator.initProducerId('', 1000, null)).errorCode, ErrorCode.INVALID_REQUEST)
  const records = h.logs.flatMap((l) => l.records).map((r) => decodeTxnRecord(r))
  assert.equal(records.length, 3)
  assert.deepEqual(records.map((r) => r?.value?.state), [TxnState.Empty, TxnState.Empty, TxnState.Empty])
})

test('commit: Ongoing -> PrepareCommit -> markers on every partition -> CompleteCommit', async () => {
  const h = await startHarness()
  const { producerId, producerEpoch } = await begin(h, 'tx')
  assert.equal(stateOf(h, 'tx'), 'Ongoing')
  assert.deepEqual(h.coordinator.describe('tx').topics, [{ topic: 'a', partitions: [0] }, { topic: 'b', partitions: [0] }])
  assert.equal(await h.coordinator.addPartitions('tx', producerId, producerEpoch, [A1, A0]), ErrorCode.NONE)
  assert.equal(await h.coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.NONE)
  assert.deepEqual(h.markers.written.map((m) => `${m.topic}-${m.partition}:${String(m.commit)}:${m.producerEpoch}`).sort(),
    ['a-0:true:0', 'a-1:true:0', 'b-0:true:0'])
  assert.equal(stateOf(h, 'tx'), 'CompleteCommit')
  assert.deepEqual(h.coordinator.describe('tx').topics, [])
  // A retried EndTxn of the finished transaction is answered NONE; the opposite result is not.
  assert.equal(await h.coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.NONE)
  assert.equal(await h.coordinator.endTxn('tx', producerId, producerEpoch, false), ErrorCode.INVALID_TXN_STATE)
  // The next transaction starts from CompleteCommit.
  assert.equal(await h.coordinator.addPartitions('tx', producerId, producerEpoch, [B0]), ErrorCode.NONE)
  assert.equal(await h.coordinator.endTxn('tx', producerId, producerEpoch, false), ErrorCode.NONE)
  assert.equal(stateOf(h, 'tx'), 'CompleteAbort')
  assert.deepEqual(h.markers.written.at(-1), { ...B0, producerId, producerEpoch, commit: false, coordinatorEpoch: 0 })
})

test('wrong producer id, epoch or state get Kafka\'s error codes', async () => {
  const h = await startHarness()
  assert.equal(await h.coordinator.addPartitions('nobody', 1n, 0, [A0]), ErrorCode.INVALID_PRODUCER_ID_MAPPING)
  assert.equal(await h.coordinator.endTxn('nobody', 1n, 0, true), ErrorCode.INVALID_PRODUCER_ID_MAPPING)
  const { producerId } = await h.coordinator.initProducerId('tx', 60_000, null)
  assert.equal(await h.coordinator.endTxn('tx', producerId, 0, true), ErrorCode.INVALID_TXN_STATE, 'nothing to end in Empty')
  assert.equal(await h.coordinator.addPartitions('tx', producerId + 1n, 0, [A0]), ErrorCode.INVALID_PRODUCER_ID_MAPPING)
  assert.equal(await h.coordinator.addPartitions('tx', producerId, 7, [A0]), ErrorCode.PRODUCER_FENCED)
  assert.equal(await h.coordinator.addPartitions('', producerId, 0, [A0]), ErrorCode.INVALID_REQUEST)
})

test('a second producer with the same transactional id fences the first and aborts its transaction', async () => {
  const h = await startHarness()
  const zombie = await begin(h, 'tx')
  // The new incarnation: the open transaction is aborted under a bumped epoch, the client retries.
  assert.equal((await h.coordinator.initProducerId('tx', 60_000, null)).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS)
  assert.deepEqual(h.markers.written.map((m) => [m.topic, m.commit, m.producerEpoch]), [['a', false, 1], ['b', false, 1]])
  assert.equal(stateOf(h, 'tx'), 'CompleteAbort')
  const fresh = await h.coordinator.initProducerId('tx', 60_000, null)
  assert.deepEqual(fresh, { errorCode: ErrorCode.NONE, producerId: zombie.producerId, producerEpoch: 2 })
  // The zombie can do nothing any more.
  assert.equal(await h.coordinator.addPartitions('tx', zombie.producerId, zombie.producerEpoch, [A0]), ErrorCode.PRODUCER_FENCED)
  assert.equal(await h.coordinator.endTxn('tx', zombie.producerId, zombie.producerEpoch, true), ErrorCode.PRODUCER_FENCED)
  assert.equal((await h.coordinator.initProducerId('tx', 60_000, { producerId: zombie.producerId, producerEpoch: zombie.producerEpoch })).errorCode,
    ErrorCode.PRODUCER_FENCED)
})

test('InitProducerId v3+: a retry after a lost response gets the same epoch, the current producer bumps', async () => {
  const h = await startHarness()
  const first = await h.coordinator.initProducerId('tx', 60_000, null)
  const bumped = await h.coordinator.initProducerId('tx', 60_000, { producerId: first.producerId, producerEpoch: first.producerEpoch })
  assert.equal(bumped.producerEpoch, 1)
  const retried = await h.coordinator.initProducerId('tx', 60_000, { producerId: first.producerId, producerEpoch: first.producerEpoch })
  assert.deepEqual(retried, bumped)
  assert.equal((await h.coordinator.initProducerId('tx', 60_000, { producerId: 999n, producerEpoch: 1 })).errorCode, ErrorCode.PRODUCER_FENCED)
})

test('an exhausted epoch rotates to a new producer id', async () => {
  const logs = [new MemoryCoordinatorLog(), new MemoryCoordinatorLog(), new MemoryCoordinatorLog()]
  const seed = await startHarness({ logs })
  await seed.coordinator.initProducerId('tx', 60_000, null)
  const h = await startHarness({ logs, firstProducerId: 5000 })
  // Replay a record at epoch 32766 (Short.MAX - 1), as a long-lived id would reach.
  const partition = h.runtime.partitionFor('tx')
  const shard = h.runtime.activeShards().find((s) => s.partition === partition)
  const current = shard?.get('tx')
  assert.ok(shard !== undefined && current !== undefined)
  shard.replay({ transactionalId: 'tx', value: { ...current, producerEpoch: 32766 } })
  const rotated = await h.coordinator.initProducerId('tx', 60_000, null)
  assert.deepEqual(rotated, { errorCode: ErrorCode.NONE, producerId: 5000n, producerEpoch: 0 })
})

test('a transaction past its timeout is aborted and its producer fenced', async () => {
  const h = await startHarness()
  const p = await begin(h, 'slow', [A0], 5_000)
  await advance(h, 9_000)
  assert.equal(stateOf(h, 'slow'), 'Ongoing', 'the check runs every 10 s')
  await advance(h, 1_000)
  assert.equal(stateOf(h, 'slow'), 'CompleteAbort')
  assert.deepEqual(h.markers.written, [{ ...A0, producerId: p.producerId, producerEpoch: 1, commit: false, coordinatorEpoch: 0 }])
  assert.equal(await h.coordinator.endTxn('slow', p.producerId, p.producerEpoch, true), ErrorCode.PRODUCER_FENCED)
  assert.equal((await h.coordinator.initProducerId('slow', 5_000, null)).producerEpoch, 2)
})

test('failed markers are retried until they land; meanwhile the id is busy', async () => {
  const h = await startHarness()
  h.markers.failures.set('b-0', [ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.KAFKA_STORAGE_ERROR])
  const p = await begin(h, 'tx')
  assert.equal(await h.coordinator.endTxn('tx', p.producerId, p.producerEpoch, true), ErrorCode.NONE, 'the commit decision is durable')
  assert.equal(stateOf(h, 'tx'), 'PrepareCommit')
  assert.equal(await h.coordinator.addPartitions('tx', p.producerId, p.producerEpoch, [A0]), ErrorCode.CONCURRENT_TRANSACTIONS)
  assert.equal(await h.coordinator.endTxn('tx', p.producerId, p.producerEpoch, true), ErrorCode.CONCURRENT_TRANSACTIONS)
  assert.equal((await h.coordinator.initProducerId('tx', 60_000, null)).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS)
  await advance(h, 100)
  assert.equal(stateOf(h, 'tx'), 'PrepareCommit', 'second attempt failed too')
  await advance(h, 200)
  assert.equal(stateOf(h, 'tx'), 'CompleteCommit')
  assert.deepEqual(h.markers.written.map((m) => m.topic).sort(), ['a', 'b'], 'a-0 written once, b-0 once it worked')
})

test('partitions that are gone or already ahead do not block completion', async () => {
  const h = await startHarness()
  h.markers.failures.set('a-0', [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
  h.markers.failures.set('b-0', [ErrorCode.INVALID_PRODUCER_EPOCH])
  const p = await begin(h, 'tx')
  assert.equal(await h.coordinator.endTxn('tx', p.producerId, p.producerEpoch, false), ErrorCode.NONE)
  assert.equal(stateOf(h, 'tx'), 'CompleteAbort')
})

test('a restart between PrepareCommit and CompleteCommit writes the markers again and completes', async () => {
  const markers = new RecordingMarkers()
  markers.failures.set('a-0', Array(1000).fill(ErrorCode.KAFKA_STORAGE_ERROR) as number[])
  const h = await startHarness({ markers })
  const p = await begin(h, 'tx')
  await h.coordinator.endTxn('tx', p.producerId, p.producerEpoch, true)
  h.coordinator.close()
  assert.equal(stateOf(h, 'tx'), '', 'closed')
  // The new process: same logs, a working partition.
  const restarted = await startHarness({ logs: h.logs })
  await advance(restarted, 0)
  assert.equal(stateOf(restarted, 'tx'), 'CompleteCommit')
  assert.deepEqual(restarted.markers.written.map((m) => [m.topic, m.partition, m.commit]).sort(), [['a', 0, true], ['b', 0, true]])
})

test('state rebuilt from the log equals the live state', async () => {
  const h = await startHarness()
  const a = await begin(h, 'a')
  await h.coordinator.endTxn('a', a.producerId, a.producerEpoch, true)
  await begin(h, 'b')
  const c = await begin(h, 'c', [A1])
  await h.coordinator.endTxn('c', c.producerId, c.producerEpoch, false)
  await h.coordinator.initProducerId('d', 1234, null)
  const reloaded = await startHarness({ logs: h.logs })
  for (const id of ['a', 'b', 'c', 'd', 'e']) assert.deepEqual(reloaded.coordinator.describe(id), h.coordinator.describe(id), id)
})

test('idle ids expire after transactional.id.expiration.ms; open transactions do not', async () => {
  const h = await startHarness({ config: { transactionalIdExpirationMs: 60_000, removeExpiredIntervalMs: 30_000 } })
  await h.coordinator.initProducerId('idle', 60_000, null)
  await begin(h, 'open', [A0], 900_000)
  await advance(h, 90_000)
  assert.equal(h.coordinator.describe('idle').errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND)
  assert.equal(stateOf(h, 'open'), 'Ongoing')
  const tombstones = h.logs.flatMap((l) => l.records).filter((r) => r.value === null)
  assert.equal(tombstones.length, 1)
  // A new InitProducerId starts over with a new producer id.
  const again = await h.coordinator.initProducerId('idle', 60_000, null)
  assert.equal(again.producerEpoch, 0)
  assert.notEqual(again.producerId, 1000n)
})

test('ListTransactions filters by state, producer id and duration; DescribeTransactions reports each id', async () => {
  const h = await startHarness()
  const a = await begin(h, 'a')
  await advance(h, 5_000)
  await begin(h, 'b')
  await h.coordinator.initProducerId('c', 60_000, null)
  const names = (r: ReturnType<Harness['coordinator']['list']>): string[] => r.transactionStates.map((s) => s.transactionalId).sort()
  assert.deepEqual(names(h.coordinator.list([], [], -1)), ['a', 'b', 'c'])
  assert.deepEqual(names(h.coordinator.list(['Ongoing'], [], -1)), ['a', 'b'])
  assert.deepEqual(h.coordinator.list(['Ongoing', 'Bogus'], [], -1).unknownStateFilters, ['Bogus'])
  assert.deepEqual(names(h.coordinator.list([], [a.producerId], -1)), ['a'])
  assert.deepEqual(names(h.coordinator.list(['Ongoing'], [], 4_000)), ['a'])
  const described = h.coordinator.describe('a')
  assert.equal(described.errorCode, ErrorCode.NONE)
  assert.equal(described.transactionState, 'Ongoing')
  assert.equal(described.producerId, a.producerId)
  assert.equal(h.coordinator.describe('').errorCode, ErrorCode.INVALID_REQUEST)
})

test('requests before the log is loaded get COORDINATOR_LOAD_IN_PROGRESS; a failed append changes nothing', async () => {
  let release!: () => void
  const loading = await startHarness({ start: false, gate: new Promise<void>((resolve) => { release = resolve }) })
  assert.equal((await loading.coordinator.initProducerId('tx', 1000, null)).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
  assert.equal(loading.coordinator.describe('tx').errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
  release()
  await loading.runtime.start()
  assert.equal((await loading.coordinator.initProducerId('tx', 1000, null)).errorCode, ErrorCode.NONE, 'the first request started the load')
  const h = await startHarness()
  const p = await h.coordinator.initProducerId('tx', 60_000, null)
  const log = h.logs[h.runtime.partitionFor('tx')] as MemoryCoordinatorLog
  log.failNextAppend = Object.assign(new Error('disk on fire'), { kind: 'KAFKA_STORAGE_ERROR' })
  assert.equal(await h.coordinator.addPartitions('tx', p.producerId, p.producerEpoch, [A0]), ErrorCode.NOT_COORDINATOR)
  assert.equal(stateOf(h, 'tx'), 'Empty')
  log.failNextAppend = new Error('something else')
  assert.equal((await h.coordinator.initProducerId('tx', 60_000, null)).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE)
  assert.equal(h.coordinator.describe('tx').producerEpoch, 0)
})

test('cluster mode: a newly elected coordinator finishes what it loads prepared (its epoch on the markers) and aborts what times out; the resigned one stops', async () => {
  const markers = new RecordingMarkers()
  markers.failures.set('a-0', Array(1000).fill(ErrorCode.NOT_LEADER_OR_FOLLOWER) as number[])
  const old = await startHarness({ markers, elected: true })
  for (let p = 0; p < old.runtime.numPartitions; p++) await old.runtime.elect(p, 1)
  const prepared = await begin(old, 'tx')
  await begin(old, 'open', [B0], 5000)
  assert.equal(await old.coordinator.endTxn('tx', prepared.producerId, prepared.producerEpoch, true), ErrorCode.NONE)
  assert.equal(stateOf(old, 'tx'), 'PrepareCommit', 'a-0 refuses the marker')
  for (let p = 0; p < old.runtime.numPartitions; p++) old.runtime.resign(p)
  assert.equal(old.coordinator.describe('tx').errorCode, ErrorCode.NOT_COORDINATOR)
  const attemptsLeft = markers.failures.get('a-0')?.length
  await advance(old, 5000, 100)
  assert.equal(markers.failures.get('a-0')?.length, attemptsLeft, 'the resigned coordinator stopped retrying its markers')

  const fresh = await startHarness({ logs: old.logs, elected: true, time: old.time })
  assert.equal(fresh.coordinator.describe('tx').errorCode, ErrorCode.NOT_COORDINATOR, 'nothing owned before the election')
  for (let p = 0; p < fresh.runtime.numPartitions; p++) await fresh.runtime.elect(p, 2)
  await advance(fresh, 0)
  assert.equal(stateOf(fresh, 'tx'), 'CompleteCommit')
  assert.deepEqual(fresh.markers.written.filter((m) => m.producerId === prepared.producerId).map((m) => [m.topic, m.partition, m.commit, m.coordinatorEpoch]).sort(),
    [['a', 0, true, 2], ['b', 0, true, 2]])
  await advance(fresh, 20_000)
  assert.equal(stateOf(fresh, 'open'), 'CompleteAbort', 'the open transaction timed out at the new coordinator')
})

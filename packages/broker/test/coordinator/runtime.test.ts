// The shared coordinator runtime with a small shard of its own (string records, pending per
// producer until a marker, as Kafka's runtime tests do): queues per key, the partition-exclusive
// marker, replay positions, deferred operations, load and failures.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@brook/protocol'
import { CoordinatorError } from '../../src/coordinator/errors.js'
import { type CoordinatorLogRecord, MemoryCoordinatorLog, NO_PRODUCER_ID } from '../../src/coordinator/log.js'
import { type CoordinatorResult, CoordinatorRuntime, type CoordinatorShard, type DeferredScheduler, type RecordPosition } from '../../src/coordinator/runtime.js'
import { ManualTime } from '@brook/common'

class ListShard implements CoordinatorShard<string> {
  readonly partition: number
  readonly scheduler: DeferredScheduler<string>
  readonly records: Array<[string, number]> = []
  readonly pending = new Map<bigint, Array<[string, number]>>()
  loaded = false
  unloaded = false

  constructor (partition: number, scheduler: DeferredScheduler<string>) {
    this.partition = partition
    this.scheduler = scheduler
  }

  replay (record: string, at: RecordPosition): void {
    if (at.producerId === NO_PRODUCER_ID) this.records.push([record, at.offset])
    else this.pending.set(at.producerId, [...(this.pending.get(at.producerId) ?? []), [record, at.offset]])
  }

  replayEndTransaction (producerId: bigint, commit: boolean): void {
    const pending = this.pending.get(producerId) ?? []
    this.pending.delete(producerId)
    if (commit) this.records.push(...pending)
  }

  onLoaded (): void { this.loaded = true }
  onUnloaded (): void { this.unloaded = true }
}

const codec = {
  encode: (r: string): CoordinatorLogRecord => ({ key: Buffer.from(r), value: null }),
  decode: (r: CoordinatorLogRecord): string | null => r.key.toString() === 'unknown' ? null : r.key.toString()
}

function write (...records: string[]): CoordinatorResult<string, string> {
  return { records, response: records.join(',') }
}

function runtimeOver (logs: MemoryCoordinatorLog[], time = new ManualTime()): CoordinatorRuntime<ListShard, string> {
  return new CoordinatorRuntime<ListShard, string>({
    topic: '__test', numPartitions: logs.length, codec, clock: time, timer: time,
    openLog: async (p) => logs[p] as MemoryCoordinatorLog,
    newShard: (p, scheduler) => new ListShard(p, scheduler)
  })
}

function shardOf (rt: CoordinatorRuntime<ListShard, string>, key: string): ListShard {
  return rt.activeShards().find((s) => s.partition === rt.partitionFor(key))!
}

test('one key runs in order even when an op awaits; other keys do not wait for it', async () => {
  const rt = runtimeOver([new MemoryCoordinatorLog()])
  await rt.start()
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  const slow = rt.run('a', async () => { await gate; return write('a1') })
  const next = rt.run('a', () => write('a2'))
  assert.equal(await rt.run('b', () => write('b1')), 'b1', 'b is not held up by a')
  release()
  assert.deepEqual([await slow, await next], ['a1', 'a2'])
  assert.deepEqual(shardOf(rt, 'a').records, [['b1', 0], ['a1', 1], ['a2', 2]])
})

test('transactional records replay with their producer; the marker waits for what was queued before it', async () => {
  const log = new MemoryCoordinatorLog()
  const rt = runtimeOver([log])
  await rt.start()
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  const slow = rt.runTransactional('a', { producerId: 5n, producerEpoch: 0 }, async () => { await gate; return write('t1') })
  const marker = rt.completeTransaction(0, { producerId: 5n, producerEpoch: 0, commit: true, coordinatorEpoch: 0 })
  const later = rt.runTransactional('b', { producerId: 5n, producerEpoch: 0 }, () => write('t2'))
  release()
  await Promise.all([slow, marker, later])
  assert.deepEqual(log.entries.map((e) => e.type === 'marker' ? `marker ${e.producerId}` : `${e.record.key.toString()} ${e.producerId}`), ['t1 5', 'marker 5', 't2 5'])
  const shard = rt.activeShards()[0]!
  assert.deepEqual(shard.records, [['t1', 0]])
  assert.deepEqual(shard.pending.get(5n), [['t2', 2]])

  const reloaded = runtimeOver([log])
  await reloaded.start()
  assert.deepEqual(reloaded.activeShards()[0]!.records, [['t1', 0]], 'load replays markers and producers the same way')
  assert.deepEqual(reloaded.activeShards()[0]!.pending.get(5n), [['t2', 2]])
})

test('deferred operations run through the key queue; close stops them and unloads the shards', async () => {
  const time = new ManualTime()
  const rt = runtimeOver([new MemoryCoordinatorLog()], time)
  await rt.start()
  const shard = rt.activeShards()[0]!
  assert.equal(shard.loaded, true)
  shard.scheduler.schedule('t', 'a', 100, () => write('late'))
  shard.scheduler.schedule('u', 'a', 200, () => write('never'))
  time.advance(150)
  await rt.run('a', () => write('after'))
  assert.deepEqual(shard.records.map(([r]) => r), ['late', 'after'])
  rt.close()
  assert.equal(shard.unloaded, true)
  time.advance(100)
  await assert.rejects(rt.run('a', () => write('x')), (err: unknown) => err instanceof CoordinatorError && err.code === ErrorCode.NOT_COORDINATOR)
  assert.deepEqual(shard.records.map(([r]) => r), ['late', 'after'])
})

test('failures: a failed append changes nothing; unknown records are skipped at load; a partition that cannot open fails alone', async () => {
  const good = new MemoryCoordinatorLog()
  const rt = runtimeOver([good])
  await rt.start()
  let outcome: unknown = 'none'
  good.failNextAppend = Object.assign(new Error('disk'), { kind: 'KAFKA_STORAGE_ERROR' })
  await assert.rejects(rt.run('a', () => ({ ...write('x'), afterAppend: (err) => { outcome = err } })),
    (err: unknown) => err instanceof CoordinatorError && err.code === ErrorCode.NOT_COORDINATOR)
  assert.ok(outcome instanceof Error, 'afterAppend heard of the failure')
  await rt.run('a', () => write('unknown', 'y'))
  assert.deepEqual(rt.activeShards()[0]!.records, [['y', 1]])
  assert.equal(await rt.completeTransaction(3, { producerId: 1n, producerEpoch: 0, commit: true, coordinatorEpoch: 0 }).then(() => 0, (err: CoordinatorError) => err.code),
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)

  const broken = new CoordinatorRuntime<ListShard, string>({
    topic: '__test', numPartitions: 2, codec,
    openLog: async (p) => { if (p === 0) throw new Error('corrupt'); return good },
    newShard: (p, scheduler) => new ListShard(p, scheduler)
  })
  const onFailed = ['a', 'b', 'c', 'd', 'e'].find((k) => broken.partitionFor(k) === 0)!
  const onGood = ['a', 'b', 'c', 'd', 'e'].find((k) => broken.partitionFor(k) === 1)!
  await assert.rejects(broken.run(onGood, () => write('z')), (err: unknown) => err instanceof CoordinatorError && err.code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    'the first use starts the load and is told to retry')
  await broken.start()
  assert.deepEqual([broken.status(0), broken.status(1)], ['failed', 'active'])
  await assert.rejects(broken.run(onFailed, () => write('z')), (err: unknown) => err instanceof CoordinatorError && err.code === ErrorCode.COORDINATOR_NOT_AVAILABLE)
  assert.equal(await broken.run(onGood, () => write('z')), 'z')
})

test('elected ownership: NOT_COORDINATOR until elected, LOAD_IN_PROGRESS while loading, state replayed; resign unloads and cancels its timers', async () => {
  const time = new ManualTime()
  const log = new MemoryCoordinatorLog()
  let gate: Promise<void> = Promise.resolve()
  let prepared = 0
  const epochs: number[] = []
  const loaded: number[] = []
  const rt = new CoordinatorRuntime<ListShard, string>({
    topic: '__test', numPartitions: 1, codec, clock: time, timer: time, ownership: 'elected',
    prepare: async () => { prepared++ },
    openLog: async () => { await gate; return log },
    newShard: (p, scheduler, epoch) => { epochs.push(epoch); return new ListShard(p, scheduler) }
  })
  rt.onPartitionLoaded((shard) => { loaded.push(shard.partition) })
  await rt.start()
  assert.equal(prepared, 1, 'start only prepares')
  assert.equal(rt.status(0), 'unowned')
  await assert.rejects(rt.run('a', () => write('x')), (err: unknown) => err instanceof CoordinatorError && err.code === ErrorCode.NOT_COORDINATOR)

  await rt.elect(0, 3)
  assert.deepEqual(loaded, [0])
  await rt.run('a', () => write('a1'))
  const first = rt.activeShards()[0]!
  first.scheduler.schedule('t', 'a', 100, () => write('timer'))
  rt.resign(0)
  assert.equal(first.unloaded, true, 'parked requests are answered')
  assert.equal(rt.status(0), 'unowned')
  time.advance(150)
  assert.deepEqual(log.records.map((r) => r.key.toString()), ['a1'], 'the resigned shard\'s timer did not run')
  await assert.rejects(rt.run('a', () => write('x')), (err: unknown) => err instanceof CoordinatorError && err.code === ErrorCode.NOT_COORDINATOR)

  let open!: () => void
  gate = new Promise((resolve) => { open = resolve })
  const electing = rt.elect(0, 5)
  await assert.rejects(rt.run('a', () => write('x')), (err: unknown) => err instanceof CoordinatorError && err.code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
  open()
  await electing
  assert.deepEqual(rt.activeShards()[0]!.records, [['a1', 0]], 'the new shard replayed the log')
  assert.deepEqual(epochs.slice(-2), [3, 5], 'each election gets a fresh shard under its epoch')
  await rt.elect(0, 5)
  assert.equal(epochs.length, 3, 'the same epoch again changes nothing')
})

const isCode = (code: number) => (err: unknown): boolean => err instanceof CoordinatorError && err.code === code

test('a deleted topic: the first operation on a retired log resigns every partition; the next start creates and loads it again, empty', { timeout: 10_000 }, async () => {
  const time = new ManualTime()
  let logs = [new MemoryCoordinatorLog(), new MemoryCoordinatorLog()]
  let opened = 0
  const rt = new CoordinatorRuntime<ListShard, string>({
    topic: '__test', numPartitions: 2, codec, clock: time, timer: time,
    openLog: async (p) => { opened++; return logs[p] as MemoryCoordinatorLog },
    newShard: (p, scheduler) => new ListShard(p, scheduler)
  })
  await rt.start()
  await rt.run('a', () => write('a1'))
  const before = rt.activeShards()
  const shardA = shardOf(rt, 'a')
  shardA.scheduler.schedule('t', 'a', 100, () => write('timer'))

  const deleted = logs
  for (const log of deleted) log.deleted = true
  logs = [new MemoryCoordinatorLog(), new MemoryCoordinatorLog()]
  await assert.rejects(rt.run('a', () => write('a2')), isCode(ErrorCode.NOT_COORDINATOR), 'the key is resigned, so the client looks the coordinator up again')
  assert.ok(before.every((s) => s.unloaded), 'every shard was unloaded (parked requests answered)')
  assert.deepEqual([rt.status(0), rt.status(1)], ['unowned', 'unowned'])
  time.advance(150)
  assert.equal(deleted.reduce((n, l) => n + l.records.length, 0), 1, 'the resigned shard\'s timer did not run')

  await rt.start()
  assert.equal(opened, 4, 'every partition was opened again')
  assert.deepEqual([rt.status(0), rt.status(1)], ['active', 'active'])
  assert.deepEqual(shardOf(rt, 'a').records, [], 'the state went with the topic')
  assert.equal(await rt.run('a', () => write('a3')), 'a3')
  assert.deepEqual(logs.flatMap((l) => l.records.map((r) => r.key.toString())), ['a3'])
})

test('a deleted topic seen by start() or by a reader: the topic reported gone resigns and starts over (elected: prepare runs again)', { timeout: 10_000 }, async () => {
  let exists = true
  let prepared = 0
  const rt = new CoordinatorRuntime<ListShard, string>({
    topic: '__test', numPartitions: 1, codec, ownership: 'elected',
    prepare: async () => { prepared++; exists = true },
    topicExists: () => exists,
    openLog: async () => new MemoryCoordinatorLog(),
    newShard: (p, scheduler) => new ListShard(p, scheduler)
  })
  await rt.start()
  await rt.elect(0, 0)
  const first = rt.activeShards()[0]!
  exists = false
  rt.resign(0)
  assert.equal(first.unloaded, true, 'the deleted partition\'s leadership ended')
  await rt.start()
  assert.equal(prepared, 2, 'the topic was prepared (created) again')
  await rt.elect(0, 0)
  assert.equal(rt.status(0), 'active')
  exists = false
  const second = rt.activeShards()[0]!
  await rt.start()
  assert.equal(prepared, 3)
  assert.equal(second.unloaded, false, 'a leadership of the new topic elected before start() saw the deletion stays')
  rt.resign(0)
  await rt.elect(0, 0)
  assert.equal(rt.status(0), 'active', 'the same epoch of the new topic loads')

  let log = new MemoryCoordinatorLog()
  const all = new CoordinatorRuntime<ListShard, string>({
    topic: '__test', numPartitions: 1, codec,
    openLog: async () => log,
    newShard: (p, scheduler) => new ListShard(p, scheduler)
  })
  await all.start()
  assert.equal(all.activeShards().length, 1)
  log.deleted = true
  log = new MemoryCoordinatorLog()
  assert.deepEqual(all.activeShards(), [], 'a reader sees the deletion too')
  assert.equal(all.status(0), 'unowned')
  all.close()
  all.topicDeleted()
  assert.equal(all.status(0), 'unowned', 'a closed runtime ignores a deletion')
})

// brook share-group list|describe|offsets|reset-offsets|delete (and group list --type share)
// against a share group whose member is librdkafka 2.15's share consumer: the group is listed with
// its type, its configs set and read with brook config --group, described with its member's assignment and the start offset and lag; a reset is
// refused while the member is in, planned by a dry run, applied with --execute; the share state
// of a topic and then the group are deleted.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startShareConsumer, startTestBroker, type TestBroker } from '@brook/testkit'
import { SHARE_BROKER_CONFIG, prepareQueue, until } from '../share/helpers.js'
import { brook, brookJson, brookOk } from './brook.js'

let broker: TestBroker

before(async () => { broker = await startTestBroker(SHARE_BROKER_CONFIG) })
after(async () => { await broker?.close() })

interface Offset { topic: string, partition: number, startOffset: number, lag: number | null }
interface Described { groupId: string, state: string, members: Array<{ clientId: string, assignment: Array<{ topic: string, partitions: number[] }> }>, totalLag: number, offsets: Offset[] }

test('brook share-group: list, describe, reset start offsets, delete state and group', { timeout: 240_000 }, async () => {
  const b = ['-b', broker.bootstrap]
  await prepareQueue(broker.bootstrap, 'cli-share-q', 'cli-share', 10)
  const consumer = await startShareConsumer({ bootstrap: broker.bootstrap, group: 'cli-share', topic: 'cli-share-q' })
  try {
    await until('the queue consumed', () => consumer.confirmedAccepted().size === 10, 90_000)
    const listed = async (): Promise<Array<{ groupId: string, state: string }>> =>
      (await brookJson<Array<{ groupId: string, state: string }>>(['share-group', 'list', ...b])).filter((g) => g.groupId === 'cli-share')
    await until('the group stable', async () => (await listed())[0]?.state === 'Stable', 30_000)
    const typed = await brookJson<Array<{ groupId: string, type: string }>>(['group', 'list', '--type', 'share', ...b])
    assert.deepEqual(typed.map((g) => [g.groupId, g.type]), [['cli-share', 'share']])
    assert.deepEqual(await brookJson<unknown[]>(['group', 'list', '--type', 'consumer', ...b]), [])

    const [described] = await brookJson<Described[]>(['share-group', 'describe', 'cli-share', ...b])
    assert.equal(described?.state, 'Stable')
    assert.deepEqual(described?.members.map((m) => m.assignment), [[{ topic: 'cli-share-q', partitions: [0] }]])
    assert.deepEqual(described?.offsets.map((o) => [o.topic, o.partition, o.startOffset, o.lag]), [['cli-share-q', 0, 10, 0]])
    const table = await brookOk(['share-group', 'describe', 'cli-share', ...b])
    assert.match(table.out, /^state:\s+Stable$/m)
    assert.match(table.out, /^cli-share-q\s+0\s+10\s+0$/m)

    await brookOk(['config', 'set', '--group', 'cli-share', 'share.record.lock.duration.ms=5000', ...b])
    const configs = await brookJson<Array<{ name: string, value: string, source: string }>>(['config', 'get', '--group', 'cli-share', 'share.auto.offset.reset', 'share.record.lock.duration.ms', ...b])
    assert.deepEqual(configs.map((c) => [c.name, c.value, c.source]), [['share.auto.offset.reset', 'earliest', 'group'], ['share.record.lock.duration.ms', '5000', 'group']])

    const busy = await brook(['share-group', 'reset-offsets', 'cli-share', '--topic', 'cli-share-q', '--to-offset', '5', '--execute', ...b])
    assert.equal(busy.code, 1)
    assert.match(busy.stderr, /NON_EMPTY_GROUP/)
  } finally {
    await consumer.stop()
  }
  await until('the group empty', async () => (await brookJson<Array<{ groupId: string, state: string }>>(['share-group', 'list', ...b]))
    .some((g) => g.groupId === 'cli-share' && g.state === 'Empty'), 60_000)

  const offsets = async (): Promise<Array<[number, number, number | null]>> =>
    (await brookJson<Offset[]>(['share-group', 'offsets', 'cli-share', ...b])).map((o) => [o.partition, o.startOffset, o.lag])
  const dry = await brookJson<{ executed: boolean, partitions: Array<{ startOffset: number, newOffset: number }> }>(['share-group', 'reset-offsets', 'cli-share', '--topic', 'cli-share-q', '--to-offset', '5', ...b])
  assert.deepEqual([dry.executed, dry.partitions.map((p) => [p.startOffset, p.newOffset])], [false, [[10, 5]]])
  assert.deepEqual(await offsets(), [[0, 10, 0]], 'a dry run changes nothing')
  await brookOk(['share-group', 'reset-offsets', 'cli-share', '--all-topics', '--to-offset', '5', '--execute', ...b])
  assert.deepEqual(await offsets(), [[0, 5, 5]])

  await brookOk(['share-group', 'delete', 'cli-share', '--topic', 'cli-share-q', ...b])
  assert.deepEqual(await offsets(), [])
  await brookOk(['share-group', 'reset-offsets', 'cli-share', '--topic', 'cli-share-q', '--to-earliest', '--execute', ...b])
  assert.deepEqual(await offsets(), [[0, 0, 10]])
  await brookOk(['share-group', 'delete', 'cli-share', ...b])
  assert.deepEqual((await brookJson<Array<{ groupId: string }>>(['share-group', 'list', ...b])).filter((g) => g.groupId === 'cli-share'), [])
  const gone = await brook(['share-group', 'describe', 'cli-share', ...b])
  assert.equal(gone.code, 1)
  assert.match(gone.stderr, /GROUP_ID_NOT_FOUND/)

  const noTarget = await brook(['share-group', 'reset-offsets', 'cli-share', '--topic', 'cli-share-q', ...b])
  assert.equal(noTarget.code, 2)
})

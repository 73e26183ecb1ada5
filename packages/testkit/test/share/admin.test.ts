// Share groups through the Kafka admin APIs, over Brook's client: ListGroups with its type filter,
// ShareGroupDescribe (members, assignments), Describe/Alter/DeleteShareGroupOffsets (list and
// reset the start offset), DeleteGroups (refused while members are in, then the share state goes:
// the group starts afresh). The members are librdkafka 2.15 share consumers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Connection } from '@brook/client'
import {
  ErrorCode, alterShareGroupOffsetsApi, deleteGroupsApi, deleteShareGroupOffsetsApi, describeShareGroupOffsetsApi, listGroupsApi, shareGroupDescribeApi
} from '@brook/protocol'
import { startShareConsumer, startTestBroker } from '@brook/testkit'
import { SHARE_BROKER_CONFIG, alterGroupConfigs, prepareQueue, until } from './helpers.js'

test('list, describe and delete a share group through the admin APIs', { timeout: 180_000 }, async () => {
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const c = new Connection(broker.host, broker.port, { clientId: 'share-admin' })
  try {
    await prepareQueue(broker.bootstrap, 'adm-q', 'adm-share', 10)
    await c.connect()
    const consumer = await startShareConsumer({ bootstrap: broker.bootstrap, group: 'adm-share', topic: 'adm-q' })
    await until('the queue consumed', () => consumer.confirmedAccepted().size === 10, 60_000)

    const list = async (typesFilter: string[], statesFilter: string[] = []): Promise<Array<[string, string, string]>> =>
      (await c.request(listGroupsApi, { statesFilter, typesFilter }, { version: 5 })).groups.map((g) => [g.groupId, g.groupType ?? '', g.groupState ?? ''])
    assert.deepEqual((await list(['share'])).filter(([id]) => id === 'adm-share'), [['adm-share', 'share', 'Stable']])
    assert.deepEqual((await list(['Share'], ['stable'])).map(([id]) => id), ['adm-share'])
    assert.deepEqual((await list(['consumer'])).filter(([id]) => id === 'adm-share'), [])

    const described = (await c.request(shareGroupDescribeApi, { groupIds: ['adm-share'], includeAuthorizedOperations: false })).groups[0]
    assert.equal(described?.errorCode, 0)
    assert.equal(described?.groupState, 'Stable')
    assert.equal(described?.members.length, 1)
    assert.deepEqual(described?.members[0]?.subscribedTopicNames, ['adm-q'])
    assert.deepEqual(described?.members[0]?.assignment.topicPartitions.map((t) => [t.topicName, t.partitions]), [['adm-q', [0]]])

    const offsets = async (): Promise<Array<[number, bigint, bigint | undefined, number]>> =>
      ((await c.request(describeShareGroupOffsetsApi, { groups: [{ groupId: 'adm-share', topics: null }] }, { version: 1 })).groups[0]?.topics ?? [])
        .flatMap((t) => t.partitions.map((p): [number, bigint, bigint | undefined, number] => [p.partitionIndex, p.startOffset, p.lag, p.errorCode]))
    assert.deepEqual(await offsets(), [[0, 10n, 0n, 0]], 'every record accepted: start offset 10, no lag')
    const alter = async (startOffset: bigint): Promise<number | undefined> =>
      (await c.request(alterShareGroupOffsetsApi, { groupId: 'adm-share', topics: [{ topicName: 'adm-q', partitions: [{ partitionIndex: 0, startOffset }] }] })).errorCode
    assert.equal(await alter(5n), ErrorCode.NON_EMPTY_GROUP)
    const del = async (): Promise<number | undefined> => (await c.request(deleteGroupsApi, { groupsNames: ['adm-share'] })).results[0]?.errorCode
    assert.equal(await del(), ErrorCode.NON_EMPTY_GROUP)
    await consumer.stop()
    await until('the group is empty', async () => (await list(['share'])).some(([id, , state]) => id === 'adm-share' && state === 'Empty'), 30_000)

    // Reset the start offset to 5: offsets 5-9 are delivered again, to a new member.
    assert.equal(await alter(5n), 0)
    assert.deepEqual(await offsets(), [[0, 5n, 5n, 0]])
    const replay = await startShareConsumer({ bootstrap: broker.bootstrap, group: 'adm-share', topic: 'adm-q' })
    try {
      await until('offsets 5-9 delivered again', () => replay.confirmedAccepted().size === 5, 60_000)
      assert.deepEqual(replay.messages.map((m) => m.offset).sort((a, b) => a - b), [5, 6, 7, 8, 9])
    } finally {
      await replay.stop()
    }
    await until('the group is empty again', async () => (await list(['share'])).some(([id, , state]) => id === 'adm-share' && state === 'Empty'), 30_000)
    const deleted = await c.request(deleteShareGroupOffsetsApi, { groupId: 'adm-share', topics: [{ topicName: 'adm-q' }] })
    assert.deepEqual([deleted.errorCode, deleted.responses.map((r) => [r.topicName, r.errorCode])], [0, [['adm-q', 0]]])
    assert.deepEqual(await offsets(), [], 'no share state left')
    assert.equal(await alter(0n), 0, 'state again, so that DeleteGroups has a share group to delete')
    assert.equal(await del(), 0)
    assert.deepEqual((await list(['share'])).filter(([id]) => id === 'adm-share'), [])
    const gone = (await c.request(shareGroupDescribeApi, { groupIds: ['adm-share'], includeAuthorizedOperations: false })).groups[0]
    assert.equal(gone?.errorCode, ErrorCode.GROUP_ID_NOT_FOUND)

    // Its state went with it: the same group id starts again from the earliest offset.
    await alterGroupConfigs(broker.bootstrap, 'adm-share', {})
    const again = await startShareConsumer({ bootstrap: broker.bootstrap, group: 'adm-share', topic: 'adm-q' })
    try {
      await until('the queue consumed again', () => again.confirmedAccepted().size === 10, 60_000)
    } finally {
      await again.stop()
    }
  } finally {
    c.close()
    await broker.close()
  }
})

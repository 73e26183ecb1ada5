// Share groups through the Kafka admin APIs, over Brook's client: ListGroups with its type filter,
// ShareGroupDescribe (members, assignments), DeleteGroups (refused while members are in, then the
// share state goes: the group starts afresh). The members are librdkafka 2.15 share consumers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Connection } from '@brook/client'
import { ErrorCode, deleteGroupsApi, listGroupsApi, shareGroupDescribeApi } from '@brook/protocol'
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

    const del = async (): Promise<number | undefined> => (await c.request(deleteGroupsApi, { groupsNames: ['adm-share'] })).results[0]?.errorCode
    assert.equal(await del(), ErrorCode.NON_EMPTY_GROUP)
    await consumer.stop()
    await until('the group is empty', async () => (await list(['share'])).some(([id, , state]) => id === 'adm-share' && state === 'Empty'), 30_000)
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

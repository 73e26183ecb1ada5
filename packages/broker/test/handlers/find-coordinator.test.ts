import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, findCoordinatorApi, metadataApi } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker } from '../helpers/broker.js'

test('FindCoordinator v0-v4: this broker for groups and transactions; batched keys from v4; internal topics created on first lookup', async () => {
  const broker = await startTestBroker({ 'offsets.topic.num.partitions': '7', 'transaction.state.log.num.partitions': '5' })
  const client = await RawClient.connect(broker.bootstrap)
  try {
    const before = await client.request(metadataApi, 1, { topics: null })
    assert.equal(before.topics.some((t) => t.name === '__consumer_offsets'), false, 'not created before a group is used')
    assert.equal(before.topics.some((t) => t.name === '__transaction_state'), false, 'not created before a transaction is used')

    const v0 = await client.request(findCoordinatorApi, 0, { key: 'g' })
    assert.deepEqual([v0.errorCode, v0.nodeId, v0.host, v0.port], [ErrorCode.NONE, broker.nodeId, '127.0.0.1', broker.port])
    const v1txn = await client.request(findCoordinatorApi, 1, { key: 'tx', keyType: 1 })
    assert.deepEqual([v1txn.errorCode, v1txn.nodeId, v1txn.errorMessage], [ErrorCode.NONE, broker.nodeId, null])
    const v3bad = await client.request(findCoordinatorApi, 3, { key: 'x', keyType: 9 })
    assert.equal(v3bad.errorCode, ErrorCode.INVALID_REQUEST)
    const v4 = await client.request(findCoordinatorApi, 4, { keyType: 0, coordinatorKeys: ['a', 'b', ''] })
    assert.deepEqual(v4.coordinators?.map((c) => [c.key, c.nodeId, c.port, c.errorCode]),
      [['a', broker.nodeId, broker.port, 0], ['b', broker.nodeId, broker.port, 0], ['', broker.nodeId, broker.port, 0]])

    const after = await client.request(metadataApi, 1, { topics: null })
    const offsets = after.topics.find((t) => t.name === '__consumer_offsets')
    assert.equal(offsets?.partitions.length, 7)
    assert.equal(offsets?.isInternal, true)
    const txnState = after.topics.find((t) => t.name === '__transaction_state')
    assert.equal(txnState?.partitions.length, 5)
    assert.equal(txnState?.isInternal, true)
  } finally {
    client.close()
    await broker.destroy()
  }
})

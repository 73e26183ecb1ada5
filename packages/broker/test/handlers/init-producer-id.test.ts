import { test } from 'node:test'
import assert from 'node:assert/strict'
import { describeClusterApi, ErrorCode, initProducerIdApi } from '@brook/protocol'
import { startBroker } from '../../src/broker.js'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker } from '../helpers/broker.js'

test('producer ids are unique, also across a restart; transactional ids are served by the transaction coordinator', async () => {
  const broker = await startTestBroker()
  let client = await RawClient.connect(broker.bootstrap)
  const first = await client.request(initProducerIdApi, 5, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })
  const second = await client.request(initProducerIdApi, 0, { transactionalId: null, transactionTimeoutMs: 60_000 })
  assert.equal(first.errorCode, ErrorCode.NONE)
  assert.equal(first.producerEpoch, 0)
  assert.notEqual(first.producerId, second.producerId)
  const txn = await client.request(initProducerIdApi, 5, { transactionalId: 'tx-1', transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })
  assert.equal(txn.errorCode, ErrorCode.NONE)
  assert.equal(txn.producerEpoch, 0)
  client.close()
  await broker.close()

  const restarted = await startBroker({ config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': broker.dataDir } })
  client = await RawClient.connect(restarted.bootstrap)
  const third = await client.request(initProducerIdApi, 5, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })
  assert.ok(third.producerId > first.producerId && third.producerId > second.producerId)
  const cluster = await client.request(describeClusterApi, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 })
  assert.equal(cluster.clusterId, broker.clusterId)
  assert.deepEqual(cluster.brokers.map((b) => [b.brokerId, b.port]), [[restarted.nodeId, restarted.port]])
  client.close()
  await restarted.close()
  await broker.destroy()
})

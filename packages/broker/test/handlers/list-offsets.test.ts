import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { buildBatch, ErrorCode, listOffsetsApi, produceApi } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { batchOf, produceBody } from '../helpers/records.js'

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker()
  client = await RawClient.connect(broker.bootstrap)
  // Offsets 0-1 at t=1000, 2 at t=3000, 3-4 at t=2000.
  await client.request(produceApi, 9, produceBody('timed', await batchOf(['a', 'b'], { timestamp: 1000n })))
  await client.request(produceApi, 9, produceBody('timed', await batchOf(['c'], { timestamp: 3000n })))
  await client.request(produceApi, 9, produceBody('timed', await batchOf(['d', 'e'], { timestamp: 2000n })))
})
after(async () => {
  client.close()
  await broker.destroy()
})

async function offsetFor (timestamp: bigint, version = 8, topic = 'timed'): Promise<[bigint | undefined, bigint | undefined]> {
  const response = await client.request(listOffsetsApi, version, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }]
  })
  const p = response.topics[0]?.partitions[0]
  assert.equal(p?.errorCode, ErrorCode.NONE)
  return [p?.offset, p?.timestamp]
}

test('earliest, latest, max timestamp and by timestamp', async () => {
  assert.deepEqual(await offsetFor(-2n), [0n, -1n])
  assert.deepEqual(await offsetFor(-1n), [5n, -1n])
  assert.deepEqual(await offsetFor(-3n), [2n, 3000n])
  assert.deepEqual(await offsetFor(1500n), [2n, 3000n])
  assert.deepEqual(await offsetFor(1000n), [0n, 1000n])
  assert.deepEqual(await offsetFor(9999n), [-1n, -1n])
})

test('max timestamp names the exact record inside its batch, the first of equals', async () => {
  // Offset 0 at t=5000 in its own batch, then offsets 1-4 at 100, 7000, 500, 7000 in one batch.
  await client.request(produceApi, 9, produceBody('timed-max', await batchOf(['a'], { timestamp: 5000n })))
  const records = [100n, 7000n, 500n, 7000n].map((timestamp, i) => ({ key: `m${i}`, value: `v${i}`, timestamp }))
  await client.request(produceApi, 9, produceBody('timed-max', await buildBatch({ records })))
  assert.deepEqual(await offsetFor(-3n, 8, 'timed-max'), [2n, 7000n])
})

test('v0 answers with the old-style offset list; unknown partitions are errors', async () => {
  const v0 = await client.request(listOffsetsApi, 0, {
    replicaId: -1,
    topics: [{ name: 'timed', partitions: [{ partitionIndex: 0, timestamp: -1n, maxNumOffsets: 1 }, { partitionIndex: 7, timestamp: -1n, maxNumOffsets: 1 }] }]
  })
  assert.deepEqual(v0.topics[0]?.partitions[0]?.oldStyleOffsets, [5n])
  assert.equal(v0.topics[0]?.partitions[1]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
})

import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiVersionsApi, buildBatch, Compression, createTopicsApi, decodeBatches, ErrorCode, fetchApi, produceApi } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { batchOf, fetchBody, fetchedValues, produceBody } from '../helpers/records.js'

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker()
  client = await RawClient.connect(broker.bootstrap)
})
after(async () => {
  client.close()
  await broker.destroy()
})

test('produce then fetch returns the batch as produced, with offsets assigned', async () => {
  const first = await client.request(produceApi, 9, produceBody('round-trip', await batchOf(['a', 'b', 'c'])))
  const part = first.responses[0]?.partitionResponses[0]
  assert.equal(part?.errorCode, ErrorCode.NONE)
  assert.equal(part?.baseOffset, 0n)
  const second = await client.request(produceApi, 11, produceBody('round-trip', await batchOf(['d']), -1))
  assert.equal(second.responses[0]?.partitionResponses[0]?.baseOffset, 3n)

  const fetched = await client.request(fetchApi, 11, fetchBody('round-trip', 0n))
  const partition = fetched.responses[0]?.partitions[0]
  assert.equal(partition?.errorCode, ErrorCode.NONE)
  assert.equal(partition?.highWatermark, 4n)
  assert.equal(partition?.logStartOffset, 0n)
  assert.deepEqual(await fetchedValues(fetched), [[0, 'a'], [1, 'b'], [2, 'c'], [3, 'd']])
})

test('acks=0 gets no response and the next request is still answered in order', async () => {
  client.sendOnly(produceApi, 9, produceBody('fire-and-forget', await batchOf(['x']), 0))
  const versions = await client.request(apiVersionsApi, 3, {})
  assert.equal(versions.errorCode, ErrorCode.NONE)
  assert.equal(client.unexpected.length, 0)
  assert.deepEqual(await fetchedValues(await client.request(fetchApi, 11, fetchBody('fire-and-forget', 0n))), [[0, 'x']])
})

test('bad batches are refused with Kafka\'s codes and nothing is stored', async () => {
  await client.request(createTopicsApi, 7, {
    topics: [{ name: 'strict', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'max.message.bytes', value: '200' }] }],
    timeoutMs: 1000
  })
  const corrupt = await batchOf(['hello'])
  corrupt[corrupt.length - 1]! ^= 0xff
  const large = await batchOf(['x'.repeat(500)])
  const cases: Array<[Buffer, number]> = [
    [corrupt, ErrorCode.CORRUPT_MESSAGE],
    [large, ErrorCode.MESSAGE_TOO_LARGE],
    // Magic byte (offset 16) is not 2: Kafka 4 answers INVALID_RECORD.
    [Buffer.from('not a record batch at all, not at all'), ErrorCode.INVALID_RECORD],
    [Buffer.alloc(0), ErrorCode.INVALID_RECORD]
  ]
  for (const [records, code] of cases) {
    const response = await client.request(produceApi, 9, produceBody('strict', records))
    assert.equal(response.responses[0]?.partitionResponses[0]?.errorCode, code)
  }
  await client.request(createTopicsApi, 7, {
    topics: [{ name: 'recent-only', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'message.timestamp.before.max.ms', value: '60000' }] }],
    timeoutMs: 1000
  })
  const old = await client.request(produceApi, 9, produceBody('recent-only', await batchOf(['1970'], { timestamp: 1000n })))
  assert.equal(old.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.INVALID_TIMESTAMP)
  const fresh = await client.request(produceApi, 9, produceBody('recent-only', await batchOf(['now'])))
  assert.equal(fresh.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.NONE)
  const badAcks = await client.request(produceApi, 9, produceBody('strict', await batchOf(['ok']), 2))
  assert.equal(badAcks.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.INVALID_REQUIRED_ACKS)
  const missing = await client.request(produceApi, 9, produceBody('strict', await batchOf(['ok']), 1, 5))
  assert.equal(missing.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  const fetched = await client.request(fetchApi, 11, fetchBody('strict', 0n))
  assert.equal(fetched.responses[0]?.partitions[0]?.highWatermark, 0n)
})

test('a topic with compression.type=gzip stores produced batches gzip-compressed', async () => {
  await client.request(createTopicsApi, 7, {
    topics: [{ name: 'gzipped', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'compression.type', value: 'gzip' }] }],
    timeoutMs: 1000
  })
  const response = await client.request(produceApi, 9, produceBody('gzipped', await batchOf(['one', 'two'], { compression: Compression.Snappy })))
  assert.equal(response.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.NONE)
  const fetched = await client.request(fetchApi, 11, fetchBody('gzipped', 0n))
  const records = fetched.responses[0]?.partitions[0]?.records
  const batches = await decodeBatches(Buffer.isBuffer(records) ? records : Buffer.concat(records ?? []))
  assert.equal(batches[0]?.compression, Compression.Gzip)
  assert.deepEqual(batches[0]?.records.map((r) => r.value?.toString()), ['one', 'two'])
})

test('pipelined produce requests on one connection land in request order, also when recompressed', async () => {
  await client.request(createTopicsApi, 7, {
    topics: [{ name: 'ordered-zstd', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'compression.type', value: 'zstd' }] }],
    timeoutMs: 1000
  })
  for (const topic of ['ordered', 'ordered-zstd']) {
    const values = Array.from({ length: 40 }, (_, i) => `v${i}`)
    // Odd requests are compressed, so that with recompression some need work and some do not.
    const batches = await Promise.all(values.map(async (v, i) => await batchOf([v], i % 2 === 1 ? { compression: Compression.Gzip } : {})))
    const responses = await Promise.all(batches.map(async (b) => await client.request(produceApi, 9, produceBody(topic, b))))
    assert.deepEqual(responses.map((r) => r.responses[0]?.partitionResponses[0]?.baseOffset), values.map((_, i) => BigInt(i)))
    const fetched = await client.request(fetchApi, 11, fetchBody(topic, 0n))
    assert.deepEqual(await fetchedValues(fetched), values.map((v, i) => [i, v]), topic)
  }
})

test('a compacted topic refuses records without a key, with record errors, and stores keyed batches as produced', { timeout: 30_000 }, async () => {
  await client.request(createTopicsApi, 7, {
    topics: [{ name: 'compacted', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact,delete' }] }],
    timeoutMs: 1000
  })
  const message = 'Compacted topic cannot accept message without key in topic partition compacted-0'
  const keyless = (compression: Compression): Promise<Buffer> => buildBatch({
    compression,
    records: [{ key: 'a', value: '1' }, { key: null, value: '2' }, { key: 'c', value: '3' }, { key: null, value: '4' }]
  })
  for (const compression of [Compression.None, Compression.Gzip, Compression.Zstd]) {
    const response = await client.request(produceApi, 9, produceBody('compacted', await keyless(compression)))
    const part = response.responses[0]?.partitionResponses[0]
    assert.equal(part?.errorCode, ErrorCode.INVALID_RECORD, `codec ${compression}`)
    assert.deepEqual(part?.recordErrors, [{ batchIndex: 1, batchIndexErrorMessage: message }, { batchIndex: 3, batchIndexErrorMessage: message }])
    assert.equal(part?.errorMessage, 'One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: ' +
      `[RecordError(batchIndex=1, message='${message}'), RecordError(batchIndex=3, message='${message}')]`)
  }
  const keyed = await batchOf(['x', 'y'], { compression: Compression.Lz4 })
  const ok = await client.request(produceApi, 9, produceBody('compacted', keyed))
  assert.equal(ok.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.NONE)
  assert.equal(ok.responses[0]?.partitionResponses[0]?.baseOffset, 0n, 'nothing of the refused batches was stored')
  const fetched = await client.request(fetchApi, 11, fetchBody('compacted', 0n))
  const records = fetched.responses[0]?.partitions[0]?.records
  const stored = Buffer.isBuffer(records) ? records : Buffer.concat(records ?? [])
  // The stored batch is the produced one, byte for byte after the offset and epoch fields.
  assert.deepEqual(stored.subarray(16), keyed.subarray(16))
  // A topic without compact takes keyless records.
  const plain = await client.request(produceApi, 9, produceBody('plain-keyless', await keyless(Compression.None)))
  assert.equal(plain.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.NONE)
})

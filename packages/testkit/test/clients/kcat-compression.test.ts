// Regression (KAFKA-18659): librdkafka only compresses when the broker's Produce range reaches
// down to the old versions, so Brook advertises Produce from v0 (refusing v0-2 as Kafka 4 does).
// kcat (librdkafka 2.0) produces with lz4 and zstd; the batches read back raw must carry that
// codec in their attributes, i.e. librdkafka really compressed and Brook stored them as sent.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ATTRIBUTES, COMPRESSION_MASK, Compression, decodeResponseFrame, encodeRequestFrame, ErrorCode, fetchApi, iterateBatches
} from '@brook/protocol'
import { RawConnection, assertSucceeded, runKcat, startTestBroker } from '@brook/testkit'

const CODECS = [['lz4', Compression.Lz4], ['zstd', Compression.Zstd]] as const

async function storedBatches (host: string, port: number, topic: string): Promise<Buffer[]> {
  const conn = await RawConnection.connect(host, port)
  try {
    conn.write(Buffer.concat(encodeRequestFrame(1, 'brook-test', fetchApi, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: ''
    })))
    const frame = await conn.nextFrame(10_000)
    assert.ok(frame !== undefined, 'the broker answered the fetch')
    const partition = decodeResponseFrame(frame, fetchApi, 11).body.responses[0]?.partitions[0]
    assert.equal(partition?.errorCode, ErrorCode.NONE)
    const records = partition?.records
    const blob = records === null || records === undefined ? Buffer.alloc(0) : Buffer.isBuffer(records) ? records : Buffer.concat(records)
    return [...iterateBatches(blob)]
  } finally {
    conn.socket.destroy()
  }
}

test('kcat with compression.codec=lz4 / zstd stores compressed batches', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker({ 'num.partitions': '1', 'auto.create.topics.enable': 'true' })
  try {
    for (const [codec, compression] of CODECS) {
      const topic = `compressed-${codec}`
      const lines = Array.from({ length: 200 }, (_v, i) => `message ${i} ${'compressible '.repeat(8)}`)
      assertSucceeded(`kcat -P ${codec}`, await runKcat([
        '-P', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-X', `compression.codec=${codec}`, '-X', 'linger.ms=50'
      ], { input: lines.join('\n') + '\n', timeoutMs: 30_000 }))
      const batches = await storedBatches(broker.host, broker.port, topic)
      assert.ok(batches.length > 0, `${codec}: batches stored`)
      assert.deepEqual(batches.map((b) => b.readInt16BE(ATTRIBUTES) & COMPRESSION_MASK), batches.map(() => compression), `${codec}: every stored batch is compressed`)
    }
  } finally {
    await broker.close()
  }
})

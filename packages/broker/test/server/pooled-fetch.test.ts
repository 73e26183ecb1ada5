import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createTopicsApi, ErrorCode, fetchApi, produceApi } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { batchOf, fetchBody, fetchedValues, produceBody } from '../helpers/records.js'

let broker: TestBroker
before(async () => { broker = await startTestBroker() })
after(async () => { await broker.destroy() })

test('pipelined fetches of file data on one connection each get their own bytes while buffers are recycled', async () => {
  const client = await RawClient.connect(broker.bootstrap)
  const created = await client.request(createTopicsApi, 5, { topics: [{ name: 'pool', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false })
  assert.equal(created.topics[0]?.errorCode, ErrorCode.NONE)
  // 4 MiB of batches of 200 x 500 B, read back in fetches of 200 KiB to 1 MiB.
  const value = (i: number): string => `${i}`.padEnd(500, '.')
  let next = 0
  for (let b = 0; b < 40; b++) {
    const values = Array.from({ length: 200 }, (_v, j) => value(next + j))
    const res = await client.request(produceApi, 9, produceBody('pool', await batchOf(values), 1))
    assert.equal(res.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.NONE)
    next += 200
  }
  // A client that does not read: the broker's writes of its responses wait in Node while another
  // connection's fetches borrow buffers; the waiting responses must not change meanwhile.
  const slow = await RawClient.connect(broker.bootstrap)
  slow.pause()
  // 48 MiB of responses: more than the kernel's socket buffers hold.
  const slowOffsets = Array.from({ length: 48 }, (_v, i) => BigInt((i * 490) % 5000))
  const slowResponses = Promise.all(slowOffsets.map(async (o) => await slow.request(fetchApi, 12, fetchBody('pool', o))))
  await new Promise((resolve) => setTimeout(resolve, 200))
  for (let i = 0; i < 20; i++) {
    const res = await client.request(fetchApi, 12, fetchBody('pool', BigInt(7000 - i * 300)))
    assert.ok((await fetchedValues(res)).length > 0)
  }
  slow.resume()
  for (const [i, response] of (await slowResponses).entries()) {
    const got = await fetchedValues(response)
    assert.ok(got.some(([o]) => o === Number(slowOffsets[i])), `slow fetch ${i} starts at its offset`)
    for (const [offset, v] of got) assert.equal(v, value(offset), `slow fetch ${i} offset ${offset}`)
  }
  slow.close()
  for (let round = 0; round < 3; round++) {
    // 16 fetches in flight at different offsets, 200 KiB each.
    const offsets = Array.from({ length: 16 }, (_v, i) => BigInt(i * 450 + round * 7))
    const responses = await Promise.all(offsets.map(async (o) => await client.request(fetchApi, 12, fetchBody('pool', o, { partitionMaxBytes: 200 * 1024 }))))
    for (const [i, response] of responses.entries()) {
      const got = await fetchedValues(response)
      assert.ok(got.length > 100, `fetch ${i} returned data`)
      for (const [offset, v] of got) assert.equal(v, value(offset), `fetch ${i} offset ${offset}`)
      assert.ok(got.some(([o]) => o === Number(offsets[i])), `fetch ${i} starts at its offset`)
    }
  }
  client.close()
})

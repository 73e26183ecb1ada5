// REST Proxy v2 produce over real HTTP: binary and json embedded formats, to a topic and to a
// partition, read back with kcat byte-equal; the REST Proxy's response shape; bad input answered
// with a 4xx in the REST Proxy's error shape while the server keeps serving.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import kafkajs from 'kafkajs'
import { assertSucceeded, byPartition, kcatConsumeAll, runKcat } from '@brook/testkit'
import { assertRestError, call, startHttpBroker, type HttpBroker } from './harness.js'

const { Kafka, logLevel } = kafkajs
const BINARY = 'application/vnd.kafka.binary.v2+json'
const JSON_FORMAT = 'application/vnd.kafka.json.v2+json'
let h: HttpBroker

interface Offsets { key_schema_id: null, value_schema_id: null, offsets: Array<{ partition: number | null, offset: number | null, error_code: number | null, error: string | null }> }

before(async () => {
  h = await startHttpBroker({ 'auto.create.topics.enable': 'false' }, { bodyLimit: 64 * 1024 })
  const admin = new Kafka({ clientId: 'v2-produce', brokers: [h.broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic: 'bin', numPartitions: 3 }, { topic: 'json', numPartitions: 1 }] })
  } finally {
    await admin.disconnect()
  }
})
after(async () => { await h.close() })

test('binary records (every byte value, null keys) read back byte-equal with kcat', { timeout: 60_000 }, async () => {
  const values = [Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('plain text'), Buffer.alloc(0), Buffer.from([0, 10, 13, 9])]
  const keys = [Buffer.from('k0'), null, Buffer.from([255, 0]), Buffer.from('k3')]
  const answer = await call(h.url, 'POST', '/topics/bin', {
    contentType: BINARY,
    body: { records: values.map((v, i) => ({ key: keys[i]?.toString('base64') ?? null, value: v.toString('base64'), partition: 1 })) }
  })
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  assert.match(answer.contentType, /^application\/vnd\.kafka\.v2\+json/)
  const body = answer.body as Offsets
  assert.equal(body.key_schema_id, null)
  assert.equal(body.value_schema_id, null)
  assert.deepEqual(body.offsets, values.map((_, i) => ({ partition: 1, offset: i, error_code: null, error: null })))

  // To a partition named in the path.
  const toPartition = await call(h.url, 'POST', '/topics/bin/partitions/2', { contentType: BINARY, body: { records: [{ value: Buffer.from('p2').toString('base64') }] } })
  assert.deepEqual((toPartition.body as Offsets).offsets, [{ partition: 2, offset: 0, error_code: null, error: null }])

  const read = byPartition(await kcatConsumeAll(h.broker.bootstrap, 'bin'))
  const p1 = read.get(1) ?? []
  assert.deepEqual(p1.map((m) => m.offset), [0, 1, 2, 3])
  // kcat -J prints text; the exact bytes are checked in the next test.
  assert.equal(p1[0]?.key, 'k0')
  assert.equal(p1[1]?.key, null)
  assert.equal(p1[1]?.payload, 'plain text')
  assert.equal(p1[2]?.payload, '')
  assert.equal(read.get(2)?.[0]?.payload, 'p2')
})

test('binary bytes are exact: kcat with a raw output format gives back every byte', { timeout: 60_000 }, async () => {
  const value = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i))
  const answer = await call(h.url, 'POST', '/topics/bin/partitions/0', { contentType: BINARY, body: { records: [{ key: Buffer.from([1, 2, 3]).toString('base64'), value: value.toString('base64') }] } })
  assert.equal(answer.status, 200)
  const offset = (answer.body as Offsets).offsets[0]?.offset ?? -1
  const out = assertSucceeded('kcat -C', await runKcat(['-C', '-b', h.broker.bootstrap, '-t', 'bin', '-p', '0', '-o', String(offset), '-c', '1', '-e', '-q', '-f', '%K:%k%S:%s'], { timeoutMs: 30_000 })).stdout
  const expected = Buffer.concat([Buffer.from('3:'), Buffer.from([1, 2, 3]), Buffer.from('256:'), value])
  assert.ok(out.equals(expected), `kcat printed ${out.toString('hex')}`)
})

test('json records are stored as their JSON text', { timeout: 60_000 }, async () => {
  const records = [{ key: 'user-1', value: { id: 1, tags: ['a', 'b'], nested: { ok: true } } }, { value: [1, 2.5, 'three', null] }, { key: { composite: 7 }, value: 'just a string' }, { value: null }]
  const answer = await call(h.url, 'POST', '/topics/json', { contentType: JSON_FORMAT, body: { records } })
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  assert.deepEqual((answer.body as Offsets).offsets.map((o) => o.offset), [0, 1, 2, 3])
  const read = await kcatConsumeAll(h.broker.bootstrap, 'json')
  assert.equal(read.length, 4)
  read.sort((a, b) => a.offset - b.offset)
  records.forEach((r, i) => {
    assert.equal(read[i]?.key ?? null, r.key === undefined ? null : JSON.stringify(r.key))
    assert.equal(read[i]?.payload ?? null, r.value === null ? null : JSON.stringify(r.value))
  })
})

test('errors in the REST Proxy shape: unknown topic or partition, bad bodies, content types, sizes', { timeout: 60_000 }, async () => {
  assertRestError(await call(h.url, 'POST', '/topics/no-such-topic', { contentType: BINARY, body: { records: [{ value: 'AA==' }] } }), 404, 40401)
  assertRestError(await call(h.url, 'POST', '/topics/bin/partitions/9', { contentType: BINARY, body: { records: [{ value: 'AA==' }] } }), 404, 40402)
  assertRestError(await call(h.url, 'POST', '/topics/bin', { contentType: BINARY, body: { records: [{ value: 'AA==', partition: 5 }] } }), 404, 40402)
  assertRestError(await call(h.url, 'POST', '/topics/bin', { contentType: BINARY, raw: '{"records": [' }), 400, 400)
  assertRestError(await call(h.url, 'POST', '/topics/bin', { contentType: BINARY, body: { records: [{ value: 'not base64!' }] } }), 422, 42201)
  assertRestError(await call(h.url, 'POST', '/topics/bin', { contentType: BINARY, body: { records: 'nope' } }), 422, 422)
  assertRestError(await call(h.url, 'POST', '/topics/bin', { contentType: BINARY, body: { records: [] } }), 422, 422)
  assertRestError(await call(h.url, 'POST', '/topics/bin', { contentType: 'application/vnd.kafka.avro.v2+json', body: { records: [{ value: 1 }] } }), 415, 415)
  assertRestError(await call(h.url, 'POST', '/topics/bin', { contentType: 'text/plain', raw: 'hello' }), 415, 415)
  assertRestError(await call(h.url, 'POST', '/topics/bin', { contentType: BINARY, body: { records: [{ value: Buffer.alloc(100_000).toString('base64') }] } }), 413, 413)
  assertRestError(await call(h.url, 'POST', '/topics/bin/partitions/-1', { contentType: BINARY, body: { records: [{ value: 'AA==' }] } }), 400, 400)
  // Path traversal attempts name no endpoint or no topic; nothing outside the API is reached.
  const traversal = await call(h.url, 'POST', '/topics/..%2F..%2Fetc%2Fpasswd', { contentType: BINARY, body: { records: [{ value: 'AA==' }] } })
  assert.ok(traversal.status >= 400 && traversal.status < 500, `traversal answered ${traversal.status}`)
  assert.equal(typeof (traversal.body as { error_code: number }).error_code, 'number')
  assertRestError(await call(h.url, 'GET', '/../../etc/passwd'), 404, 404)
  assertRestError(await call(h.url, 'GET', '/no/such/endpoint'), 404, 404)
  // Still serving.
  assert.equal((await call(h.url, 'GET', '/healthz')).status, 200)
})

test('a slow client that never finishes its body does not stop others from being served', { timeout: 60_000 }, async () => {
  const { port, hostname } = new URL(h.url)
  const socket = connect({ port: Number(port), host: hostname })
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write(`POST /topics/bin HTTP/1.1\r\nHost: x\r\nContent-Type: ${BINARY}\r\nContent-Length: 1000\r\n\r\n{"records": [`)
  try {
    const answer = await call(h.url, 'POST', '/topics/bin/partitions/0', { contentType: BINARY, body: { records: [{ value: 'AA==' }] } })
    assert.equal(answer.status, 200)
  } finally {
    socket.destroy()
  }
})

test('v2 topic and broker listings', { timeout: 30_000 }, async () => {
  const topics = await call(h.url, 'GET', '/topics')
  assert.equal(topics.status, 200)
  assert.ok((topics.body as string[]).includes('bin'))
  const topic = await call(h.url, 'GET', '/topics/bin')
  const t = topic.body as { name: string, configs: Record<string, string>, partitions: Array<{ partition: number, leader: number, replicas: Array<{ broker: number, leader: boolean, in_sync: boolean }> }> }
  assert.equal(t.name, 'bin')
  assert.equal(t.partitions.length, 3)
  assert.deepEqual(t.partitions[0]?.replicas, [{ broker: h.broker.nodeId, leader: true, in_sync: true }])
  assert.equal(typeof t.configs['retention.ms'], 'string')
  assert.deepEqual((await call(h.url, 'GET', '/brokers')).body, { brokers: [h.broker.nodeId] })
  assertRestError(await call(h.url, 'GET', '/topics/nothing-here'), 404, 40401)
})

test('concurrent produce requests to topics the API has not seen yet all succeed', { timeout: 90_000 }, async () => {
  const admin = new Kafka({ clientId: 'v2-produce-waves', brokers: [h.broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    for (let wave = 0; wave < 3; wave++) {
      const names = Array.from({ length: 8 }, (_, i) => `wave-${wave}-${i}`)
      await admin.createTopics({ topics: names.map((topic) => ({ topic, numPartitions: 1 })) })
      const answers = await Promise.all(names.map(async (topic, i) => {
        await new Promise((resolve) => setTimeout(resolve, i))
        return await call(h.url, 'POST', `/topics/${topic}`, { contentType: JSON_FORMAT, body: { records: [{ value: { wave, i } }] } })
      }))
      for (const answer of answers) {
        assert.equal(answer.status, 200)
        assert.deepEqual((answer.body as Offsets).offsets, [{ partition: 0, offset: 0, error_code: null, error: null }])
      }
    }
  } finally {
    await admin.disconnect()
  }
})

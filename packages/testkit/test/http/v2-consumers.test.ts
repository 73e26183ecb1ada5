// REST Proxy v2 consumer instances over real HTTP: records produced by kafkajs are read through a
// subscribed instance (binary, byte-equal) with a long poll that a produce during the wait ends;
// commits are checked against kafkajs admin's view of the group; assign mode with seeks; json
// format; delete; and the errors of each step.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { waitFor } from '@brook/testkit'
import { assertRestError, call, getWithBody, startHttpBroker, type HttpBroker } from './harness.js'

const { Kafka, logLevel } = kafkajs
const BINARY = 'application/vnd.kafka.binary.v2+json'
const JSON_FORMAT = 'application/vnd.kafka.json.v2+json'
const V2 = 'application/vnd.kafka.v2+json'
let h: HttpBroker
let kafka: InstanceType<typeof Kafka>

interface RestRecord { topic: string, key: unknown, value: unknown, partition: number, offset: number }

before(async () => {
  h = await startHttpBroker()
  kafka = new Kafka({ clientId: 'v2-consumers', brokers: [h.broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 2 }, { topic: 'docs', numPartitions: 1 }, { topic: 'fixed', numPartitions: 2 }] })
  } finally {
    await admin.disconnect()
  }
})
after(async () => { await h.close() })

async function produce (topic: string, messages: Array<{ key?: Buffer | string | null, value: Buffer | string, partition?: number }>): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  try {
    await producer.send({ topic, messages })
  } finally {
    await producer.disconnect()
  }
}

/** Reads until `count` records came (each call a long poll). */
async function readAll (base: string, count: number, accept = BINARY): Promise<RestRecord[]> {
  const out: RestRecord[] = []
  await waitFor(async () => {
    const answer = await call(h.url, 'GET', `${base}/records?timeout=2000`, { accept })
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    out.push(...answer.body as RestRecord[])
    return out.length >= count
  }, 60_000, { message: `${count} records read` })
  return out
}

test('subscribe, read binary records byte-equal, commit, and kafkajs sees the commit', { timeout: 120_000 }, async () => {
  const values = Array.from({ length: 20 }, (_, i) => Buffer.from([i, 0, 255, 10, i * 3]))
  await produce('events', values.map((value, i) => ({ key: `k${i}`, value, partition: i % 2 })))

  const created = await call(h.url, 'POST', '/consumers/readers', { body: { name: 'alice', format: 'binary', 'auto.offset.reset': 'earliest', 'auto.commit.enable': 'false' } })
  assert.equal(created.status, 200, JSON.stringify(created.body))
  assert.match(created.contentType, /^application\/vnd\.kafka\.v2\+json/)
  assert.deepEqual(created.body, { instance_id: 'alice', base_uri: `${h.url}/consumers/readers/instances/alice` })
  const base = '/consumers/readers/instances/alice'
  assert.equal((await call(h.url, 'POST', `${base}/subscription`, { body: { topics: ['events'] } })).status, 204)
  assert.deepEqual((await call(h.url, 'GET', `${base}/subscription`)).body, { topics: ['events'] })

  const records = await readAll(base, 20)
  assert.equal(records.length, 20)
  for (const r of records) {
    assert.equal(r.topic, 'events')
    const i = Number(Buffer.from(r.key as string, 'base64').toString('utf8').slice(1))
    assert.ok(Buffer.from(r.value as string, 'base64').equals(values[i] as Buffer), `record ${i} byte-equal`)
    assert.equal(r.partition, i % 2)
  }
  const assignment = (await call(h.url, 'GET', `${base}/assignments`)).body as { partitions: Array<{ topic: string, partition: number }> }
  assert.deepEqual(assignment.partitions.sort((a, b) => a.partition - b.partition), [{ topic: 'events', partition: 0 }, { topic: 'events', partition: 1 }])

  // An empty commit commits everything delivered.
  assert.equal((await call(h.url, 'POST', `${base}/offsets`, { contentType: V2 })).status, 204)
  const admin = kafka.admin()
  await admin.connect()
  try {
    const committed = await admin.fetchOffsets({ groupId: 'readers', topics: ['events'] })
    assert.deepEqual(committed[0]?.partitions.map((p) => ({ partition: p.partition, offset: p.offset })).sort((a, b) => a.partition - b.partition),
      [{ partition: 0, offset: '10' }, { partition: 1, offset: '10' }])
  } finally {
    await admin.disconnect()
  }
  const offsets = await call(h.url, 'GET', `${base}/offsets`)
  assert.deepEqual((offsets.body as { offsets: Array<{ partition: number, offset: number }> }).offsets.map((o) => o.offset), [10, 10])

  // Explicit offsets are the last record consumed: Kafka's committed position is one past it.
  assert.equal((await call(h.url, 'POST', `${base}/offsets`, { body: { offsets: [{ topic: 'events', partition: 0, offset: 4 }] } })).status, 204)
  const explicit = await getWithBody(h.url, `${base}/offsets`, { partitions: [{ topic: 'events', partition: 0 }] })
  assert.deepEqual(explicit.body, { offsets: [{ topic: 'events', partition: 0, offset: 5, metadata: '' }] })

  assert.equal((await call(h.url, 'DELETE', base, { contentType: V2 })).status, 204)
  assertRestError(await call(h.url, 'GET', `${base}/records`, { accept: BINARY }), 404, 40403)
})

test('a long poll waits, and a record produced during the wait ends it', { timeout: 90_000 }, async () => {
  assert.equal((await call(h.url, 'POST', '/consumers/waiters', { body: { name: 'w', format: 'binary', 'auto.offset.reset': 'latest' } })).status, 200)
  const base = '/consumers/waiters/instances/w'
  assert.equal((await call(h.url, 'POST', `${base}/subscription`, { body: { topics: ['docs'] } })).status, 204)
  // The first polls join the group and place the position at the end: nothing to read yet.
  await waitFor(async () => ((await call(h.url, 'GET', `${base}/assignments`)).body as { partitions: unknown[] }).partitions.length === 1 ||
    (await call(h.url, 'GET', `${base}/records?timeout=500`, { accept: BINARY })).status !== 200, 30_000, { message: 'assigned' })
  const empty = await call(h.url, 'GET', `${base}/records?timeout=300`, { accept: BINARY })
  assert.deepEqual(empty.body, [])
  const started = Date.now()
  const poll = call(h.url, 'GET', `${base}/records?timeout=20000`, { accept: BINARY })
  await new Promise((resolve) => setTimeout(resolve, 500))
  await produce('docs', [{ value: 'woke' }])
  const answer = await poll
  assert.equal(answer.status, 200)
  const records = answer.body as RestRecord[]
  assert.equal(records.length, 1)
  assert.equal(Buffer.from(records[0]?.value as string, 'base64').toString(), 'woke')
  assert.ok(Date.now() - started < 19_000, 'answered on the record, not the timeout')
  assert.equal((await call(h.url, 'DELETE', base)).status, 204)
})

test('assign mode, seek to beginning and to an offset, json format', { timeout: 90_000 }, async () => {
  await produce('fixed', Array.from({ length: 6 }, (_, i) => ({ key: JSON.stringify({ n: i }), value: JSON.stringify({ n: i, even: i % 2 === 0 }), partition: 1 })))
  assert.equal((await call(h.url, 'POST', '/consumers/assigned', { body: { name: 'a', format: 'json', 'auto.offset.reset': 'latest' } })).status, 200)
  const base = '/consumers/assigned/instances/a'
  assert.equal((await call(h.url, 'POST', `${base}/assignments`, { body: { partitions: [{ topic: 'fixed', partition: 1 }] } })).status, 204)
  assert.equal((await call(h.url, 'POST', `${base}/positions/beginning`, { body: { partitions: [{ topic: 'fixed', partition: 1 }] } })).status, 204)
  const all = await readAll(base, 6, JSON_FORMAT)
  assert.deepEqual(all.map((r) => r.value), Array.from({ length: 6 }, (_, i) => ({ n: i, even: i % 2 === 0 })))
  assert.deepEqual(all.map((r) => r.key), Array.from({ length: 6 }, (_, i) => ({ n: i })))
  assert.equal((await call(h.url, 'POST', `${base}/positions`, { body: { offsets: [{ topic: 'fixed', partition: 1, offset: 4 }] } })).status, 204)
  const tail = await readAll(base, 2, JSON_FORMAT)
  assert.deepEqual(tail.map((r) => r.offset), [4, 5])
  // The instance reads json: a binary Accept is refused.
  assertRestError(await call(h.url, 'GET', `${base}/records`, { accept: BINARY }), 406, 40601)
  // Subscribing an assigned instance is refused.
  assertRestError(await call(h.url, 'POST', `${base}/subscription`, { body: { topics: ['fixed'] } }), 409, 40903)
  assert.equal((await call(h.url, 'DELETE', base)).status, 204)
})

test('a record a json instance cannot show fails each read until the client seeks past it', { timeout: 90_000 }, async () => {
  await produce('fixed', [{ value: '{"ok":1}', partition: 0 }, { value: 'not json', partition: 0 }, { value: '{"ok":3}', partition: 0 }])
  assert.equal((await call(h.url, 'POST', '/consumers/strict', { body: { name: 's', format: 'json', 'auto.commit.enable': 'false' } })).status, 200)
  const base = '/consumers/strict/instances/s'
  assert.equal((await call(h.url, 'POST', `${base}/assignments`, { body: { partitions: [{ topic: 'fixed', partition: 0 }] } })).status, 204)
  assert.equal((await call(h.url, 'POST', `${base}/positions`, { body: { offsets: [{ topic: 'fixed', partition: 0, offset: 0 }] } })).status, 204)
  const failed = await waitFor(async () => {
    const answer = await call(h.url, 'GET', `${base}/records?timeout=2000`, { accept: JSON_FORMAT })
    return answer.status === 500 ? answer : null
  }, 30_000, { message: 'the bad record fails the read' })
  assertRestError(failed, 500, 50002)
  assert.match((failed.body as { message: string }).message, /fixed-0@1/)
  // Nothing was lost or skipped: the same read fails again.
  assertRestError(await call(h.url, 'GET', `${base}/records?timeout=2000`, { accept: JSON_FORMAT }), 500, 50002)
  assert.equal((await call(h.url, 'POST', `${base}/positions`, { body: { offsets: [{ topic: 'fixed', partition: 0, offset: 2 }] } })).status, 204)
  const after = await readAll(base, 1, JSON_FORMAT)
  assert.deepEqual(after.map((r) => ({ offset: r.offset, value: r.value })), [{ offset: 2, value: { ok: 3 } }])
  assert.equal((await call(h.url, 'DELETE', base)).status, 204)
})

test('instance errors: duplicates, unknown settings, unknown instances, reads before subscribing', { timeout: 60_000 }, async () => {
  assert.equal((await call(h.url, 'POST', '/consumers/errs', { body: { name: 'dup' } })).status, 200)
  assertRestError(await call(h.url, 'POST', '/consumers/errs', { body: { name: 'dup' } }), 409, 40902)
  assertRestError(await call(h.url, 'POST', '/consumers/errs', { body: { name: 'x', 'no.such.setting': 1 } }), 422, 42204)
  assertRestError(await call(h.url, 'POST', '/consumers/errs', { body: { name: 'x', format: 'avro' } }), 422, 42204)
  assertRestError(await call(h.url, 'POST', '/consumers/errs', { body: { name: '../../x' } }), 422, 42204)
  assertRestError(await call(h.url, 'GET', '/consumers/errs/instances/dup/records', { accept: BINARY }), 409, 40903)
  assertRestError(await call(h.url, 'GET', '/consumers/errs/instances/nobody/records', { accept: BINARY }), 404, 40403)
  assertRestError(await call(h.url, 'POST', '/consumers/errs/instances/dup/subscription', { body: { topics: 'events' } }), 422, 422)
  assertRestError(await call(h.url, 'POST', '/consumers/errs/instances/dup/assignments', { body: { partitions: [{ topic: 'events', partition: -1 }] } }), 422, 422)
  // A generated name when none is given.
  const anonymous = await call(h.url, 'POST', '/consumers/errs', { contentType: V2 })
  assert.match((anonymous.body as { instance_id: string }).instance_id, /^rest-consumer-/)
  assert.equal((await call(h.url, 'DELETE', '/consumers/errs/instances/dup')).status, 204)
  assertRestError(await call(h.url, 'DELETE', '/consumers/errs/instances/dup'), 404, 40403)
})

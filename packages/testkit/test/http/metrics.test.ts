// /metrics, /healthz and /readyz of the HTTP API next to an in-process broker. The exposition is
// parsed with the Prometheus project's own parser; counters are checked to move by exactly what
// kcat produced and consumed; gauges (partitions, log size, group lag) against what kafkajs did.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import kafkajs from 'kafkajs'
import { assertSucceeded, runKcat, waitFor } from '@brook/testkit'
import { call, sample, scrape, startHttpBroker, type HttpBroker } from './harness.js'

const { Kafka, logLevel } = kafkajs
let h: HttpBroker

before(async () => { h = await startHttpBroker() })
after(async () => { await h.close() })

test('/healthz and /readyz answer 200 with a status', { timeout: 30_000 }, async () => {
  const health = await call(h.url, 'GET', '/healthz')
  assert.equal(health.status, 200)
  assert.deepEqual(health.body, { status: 'ok' })
  const ready = await call(h.url, 'GET', '/readyz')
  assert.equal(ready.status, 200)
  const body = ready.body as { status: string, cluster_id: string, brokers: number }
  assert.equal(body.status, 'ready')
  assert.equal(body.cluster_id, h.broker.clusterId)
  assert.equal(body.brokers, 1)
})

test('10,000 messages produced with kcat move the topic counters by exactly 10,000', { timeout: 120_000 }, async () => {
  const topic = 'metered'
  const admin = new Kafka({ clientId: 'metrics-test', brokers: [h.broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
  } finally {
    await admin.disconnect()
  }
  const before = await scrape(h.url)
  assert.equal(sample(before, 'brook_topic_messages_in_total', { topic }), 0)
  const lines = Array.from({ length: 10_000 }, (_, i) => `message-${i}`).join('\n') + '\n'
  assertSucceeded('kcat -P', await runKcat(['-P', '-b', h.broker.bootstrap, '-t', topic, '-z', 'lz4'], { timeoutMs: 60_000, input: lines }))
  const after = await scrape(h.url)
  assert.equal(sample(after, 'brook_topic_messages_in_total', { topic }), 10_000)
  const bytesIn = sample(after, 'brook_topic_bytes_in_total', { topic })
  assert.ok(bytesIn > 0, 'bytes in moved')
  assert.ok(sample(after, 'brook_requests_total', { api: 'Produce' }) > sample(before, 'brook_requests_total', { api: 'Produce' }))
  assert.ok(sample(after, 'brook_request_duration_seconds_count', { api: 'Produce' }) >= sample(after, 'brook_requests_total', { api: 'Produce' }))
  assert.ok(sample(after, 'brook_connections_opened_total') > sample(before, 'brook_connections_opened_total'))
  // The log holds what was appended: the two partitions' sizes add up to at least the bytes in.
  const logBytes = sample(after, 'brook_log_size_bytes', { topic, partition: '0' }) + sample(after, 'brook_log_size_bytes', { topic, partition: '1' })
  assert.equal(logBytes, bytesIn)
  const ends = sample(after, 'brook_log_end_offset', { topic, partition: '0' }) + sample(after, 'brook_log_end_offset', { topic, partition: '1' })
  assert.equal(ends, 10_000)
  assert.equal(sample(after, 'brook_leader_partitions'), sample(after, 'brook_partitions'))
  assert.ok(sample(after, 'brook_partitions') >= 2)
  assert.equal(sample(after, 'brook_under_replicated_partitions'), 0)

  // Reading it all back moves bytes and messages out (each whole batch is read once).
  const read = assertSucceeded('kcat -C', await runKcat(['-C', '-b', h.broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q'], { timeoutMs: 60_000 }))
  assert.equal(read.stdout.toString('utf8').trim().split('\n').length, 10_000)
  const afterRead = await scrape(h.url)
  assert.ok(sample(afterRead, 'brook_topic_bytes_out_total', { topic }) >= bytesIn)
  assert.equal(sample(afterRead, 'brook_topic_messages_out_total', { topic }), 10_000)
  assert.ok(sample(afterRead, 'brook_requests_total', { api: 'Fetch' }) > 0)
})

test('a batch over the topic\'s max.message.bytes counts under brook_produce_errors_total', { timeout: 60_000 }, async () => {
  const topic = 'small-messages'
  const admin = new Kafka({ clientId: 'metrics-errors', brokers: [h.broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '200' }] }] })
  } finally {
    await admin.disconnect()
  }
  const before = sample(await scrape(h.url), 'brook_produce_errors_total', { error: 'MESSAGE_TOO_LARGE' })
  // kcat's own limit is 1 MB, so the 2,000-byte record reaches the broker, which refuses it.
  const result = await runKcat(['-P', '-b', h.broker.bootstrap, '-t', topic], { timeoutMs: 30_000, input: 'x'.repeat(2000) + '\n' })
  assert.match(result.stderr, /too large|MSG_SIZE_TOO_LARGE/i, 'kcat reports the refusal')
  const after = sample(await scrape(h.url), 'brook_produce_errors_total', { error: 'MESSAGE_TOO_LARGE' })
  assert.ok(after >= before + 1, `MESSAGE_TOO_LARGE counted (${before} -> ${after})`)
  assert.equal(sample(await scrape(h.url), 'brook_topic_messages_in_total', { topic }), 0)
})

test('consumer group lag is scraped per group and partition', { timeout: 90_000 }, async () => {
  const topic = 'lagging'
  const kafka = new Kafka({ clientId: 'metrics-lag', brokers: [h.broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  const producer = kafka.producer()
  await producer.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    await producer.send({ topic, messages: Array.from({ length: 25 }, (_, i) => ({ value: `v${i}` })) })
    await admin.setOffsets({ groupId: 'laggards', topic, partitions: [{ partition: 0, offset: '10' }] })
  } finally {
    await producer.disconnect()
    await admin.disconnect()
  }
  const samples = await waitFor(async () => {
    const s = await scrape(h.url)
    return sample(s, 'brook_consumer_group_lag', { group: 'laggards', topic, partition: '0' }) === 15 ? s : null
  }, 30_000, { message: 'lag of 15 scraped' })
  assert.equal(sample(samples, 'brook_consumer_group_lag_sum', { group: 'laggards' }), 15)
})

test('every series the Grafana dashboard queries is exposed', { timeout: 30_000 }, async () => {
  const dashboard = await readFile(new URL('../../../../../docs/grafana/brook-broker.json', import.meta.url), 'utf8')
  const names = new Set([...dashboard.matchAll(/\b((?:brook|process)_[a-z_]+)/g)].map((m) => m[1] as string))
  assert.ok(names.size >= 10, `${names.size} series named`)
  const text = await (await fetch(`${h.url}/metrics`)).text()
  for (const name of names) {
    const family = name.endsWith('_bucket') ? name.slice(0, -'_bucket'.length) : name
    assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'), `${name} is exposed`)
  }
})

test('acks=all produces are timed under brook_log_fsync_duration_seconds{cause="produce"}', { timeout: 60_000 }, async () => {
  const topic = 'fsynced'
  const admin = new Kafka({ clientId: 'metrics-fsync', brokers: [h.broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  } finally {
    await admin.disconnect()
  }
  const count = (s: Awaited<ReturnType<typeof scrape>>, acks: string): number => sample(s, 'brook_log_fsync_duration_seconds_count', { cause: acks })
  const before = await scrape(h.url)
  // acks=1 writes need no fsync: the produce count stays.
  assertSucceeded('kcat -P acks=1', await runKcat(['-P', '-b', h.broker.bootstrap, '-t', topic, '-X', 'acks=1'], { timeoutMs: 30_000, input: 'one\n' }))
  const afterAcks1 = await scrape(h.url)
  assert.equal(count(afterAcks1, 'produce'), count(before, 'produce'))
  // Each acks=all produce (one record, one request, kcat waits for it) waits for one group-commit pass at least.
  for (let i = 0; i < 3; i++) assertSucceeded('kcat -P acks=all', await runKcat(['-P', '-b', h.broker.bootstrap, '-t', topic, '-X', 'acks=all'], { timeoutMs: 30_000, input: `all-${i}\n` }))
  const after = await scrape(h.url)
  assert.ok(count(after, 'produce') >= count(before, 'produce') + 3, `${count(before, 'produce')} -> ${count(after, 'produce')} fsync passes`)
  assert.ok(sample(after, 'brook_log_fsync_duration_seconds_sum', { cause: 'produce' }) > sample(before, 'brook_log_fsync_duration_seconds_sum', { cause: 'produce' }))
  assert.equal(sample(after, 'brook_log_fsync_duration_seconds_bucket', { cause: 'produce', le: '+Inf' }), count(after, 'produce'))
})

// The requests @brook/client sends for its main calls, beside librdkafka's (kcat) and kafkajs's.
// Each reference client produces one record idempotently and consumes it in a group through a
// capturing proxy; then Brook's client does the same through the proxy with ApiVersions answers
// capped at the versions the reference client used, so both send the same request versions.
// Every captured request must round-trip byte for byte through @brook/protocol's codec, and the
// two clients' requests, decoded and normalised, must hold the same fields with the same values,
// except the fields listed in CLIENT_CHOICES, where only the shape (type, presence) must match.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { type ProduceRequest, Reader, apiByKey, decodeRequest, decodeRequestHeader } from '@brook/protocol'
import { Client } from '@brook/client'
import {
  assertSucceeded, normaliseRequestFrame, roundTripRequestFrame, runKcat, startCaptureProxy, startTestBroker, waitFor,
  type CaptureProxy, type CapturedRequest, type TestBroker
} from '@brook/testkit'

const API = { Produce: 0, Fetch: 1, ListOffsets: 2, Metadata: 3, OffsetCommit: 8, OffsetFetch: 9, JoinGroup: 11, Heartbeat: 12, SyncGroup: 14, InitProducerId: 22 } as const
const NAMES = new Map<number, string>(Object.entries(API).map(([name, key]) => [key, name]))
const COMPARED = [...NAMES.keys()]

// Paths (array indices as []) whose values each client chooses for itself; their shape is compared.
const CLIENT_CHOICES: Record<number, string[]> = {
  // Broker-side ack wait: kafkajs 30 s, librdkafka request.timeout.ms 30 s... each has its own default.
  [API.Produce]: ['timeoutMs'],
  // Wait, size and session settings are per-client defaults (fetch.wait.max.ms, fetch.max.bytes,
  // max.partition.fetch.bytes); rack is empty unless configured; the fetch session id/epoch
  // depend on whether the client uses KIP-227 sessions.
  [API.Fetch]: ['maxWaitMs', 'minBytes', 'maxBytes', 'isolationLevel', 'sessionId', 'sessionEpoch', 'rackId',
    'topics[].partitions[].partitionMaxBytes', 'topics[].partitions[].currentLeaderEpoch', 'topics[].partitions[].logStartOffset'],
  // librdkafka sends the leader epoch it knows (KIP-320), kafkajs -1.
  [API.ListOffsets]: ['topics[].partitions[].currentLeaderEpoch', 'isolationLevel'],
  // Which topics a metadata call names, and whether it asks for auto-creation, follow the call
  // each client makes first (all topics, or the ones it produces to).
  [API.Metadata]: ['topics', 'allowAutoTopicCreation', 'includeClusterAuthorizedOperations', 'includeTopicAuthorizedOperations'],
  // Timeouts and the assignor list are consumer settings; protocol metadata carries each
  // client's user data and owned partitions.
  [API.JoinGroup]: ['sessionTimeoutMs', 'rebalanceTimeoutMs', 'protocolType', 'protocols', 'reason'],
  [API.SyncGroup]: ['protocolName', 'assignments[].assignment'],
  [API.OffsetCommit]: ['retentionTimeMs', 'topics[].partitions[].committedLeaderEpoch', 'topics[].partitions[].committedMetadata'],
  // librdkafka asks for the committed offsets of the assigned partitions, kafkajs of the topics it
  // subscribed to; requireStable is a read_committed consumer's choice.
  [API.OffsetFetch]: ['requireStable'],
  // The transaction timeout is sent only by transactional producers and is a per-client default.
  [API.InitProducerId]: ['transactionTimeoutMs']
}

// Run-dependent values: replaced before comparing (normaliseRequestFrame covers header, batch timestamps and producer ids).
const RUN_VALUES = new Set(['memberId', 'groupInstanceId', 'generationId', 'generationIdOrMemberEpoch', 'groupId'])

let broker: TestBroker
let proxy: CaptureProxy

before(async () => {
  proxy = await startCaptureProxy()
  broker = await startTestBroker({
    'advertised.listeners': `PLAINTEXT://${proxy.bootstrap}`,
    'num.partitions': '1',
    'group.initial.rebalance.delay.ms': '0'
  })
  proxy.setTarget(broker.host, broker.port)
})
after(async () => {
  await broker.close()
  await proxy.close()
})

type Driver = (bootstrap: string, topic: string, group: string) => Promise<void>

const references: Record<string, Driver> = {
  kcat: async (bootstrap, topic, group) => {
    assertSucceeded('kcat -P', await runKcat(['-P', '-b', bootstrap, '-t', topic, '-K', ':', '-X', 'enable.idempotence=true'], { input: 'k:v\n', timeoutMs: 20_000 }))
    // -e exits at the end of the partition; the fast heartbeat makes one happen before that, and
    // closing with auto-commit on commits the consumed offset.
    assertSucceeded('kcat -G', await runKcat([
      '-b', bootstrap, '-G', group, '-X', 'auto.offset.reset=earliest', '-e', '-q', '-X', 'heartbeat.interval.ms=50', '-X', 'session.timeout.ms=6000',
      '-X', 'fetch.wait.max.ms=100', '-X', 'topic.metadata.refresh.interval.ms=-1', topic
    ], { timeoutMs: 30_000 }))
  },
  kafkajs: async (bootstrap, topic, group) => {
    const kafka = new kafkajs.Kafka({ clientId: 'captures', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING })
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'v' }] })
    await producer.disconnect()
    const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 50, maxWaitTimeInMs: 100 })
    let got = 0
    await consumer.connect()
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({ eachMessage: async () => { got++ } })
      await waitFor(() => got > 0 && sent(API.OffsetCommit) && sent(API.Heartbeat), 20_000, { message: 'kafkajs consumed, committed and heartbeat' })
    } finally {
      await consumer.disconnect()
    }
  }
}

let from = 0
function sent (apiKey: number): boolean {
  return proxy.requests.slice(from).some((r) => r.apiKey === apiKey)
}

const brook: Driver = async (bootstrap, topic, group) => {
  const client = new Client({ brokers: [bootstrap], clientId: 'captures' })
  const producer = client.producer({ allowAutoTopicCreation: true })
  await producer.send({ topic, messages: [{ key: 'k', value: 'v' }] })
  await producer.close()
  const consumer = client.consumer({ groupId: group, autoOffsetReset: 'earliest', heartbeatIntervalMs: 50, maxWaitMs: 100 })
  consumer.subscribe({ topics: [topic] })
  try {
    let got = 0
    const running = consumer.run({ eachMessage: () => { got++ } })
    await waitFor(() => got > 0, 10_000, { message: 'brook consumed the record' })
    consumer.stop()
    await running
    await consumer.commit()
    await waitFor(() => sent(API.Heartbeat), 10_000, { message: 'brook heartbeat' })
  } finally {
    await consumer.close()
  }
}

/** First request per api key among the compared ones (later ones may be at other versions). */
async function capture (drive: Driver, name: string): Promise<Map<number, CapturedRequest>> {
  from = proxy.requests.length
  await drive(proxy.bootstrap, `captures-${name}`, `captures-${name}`)
  const out = new Map<number, CapturedRequest>()
  for (const r of proxy.requests.slice(from)) if (COMPARED.includes(r.apiKey) && !out.has(r.apiKey)) out.set(r.apiKey, r)
  return out
}

function decodeNormalised (frame: Buffer): Record<string, unknown> {
  const normal = normaliseRequestFrame(frame)
  const reader = new Reader(normal, 4)
  const header = decodeRequestHeader(reader)
  const body = decodeRequest(apiByKey(header.apiKey)!, header.apiVersion, reader)
  if (header.apiKey === API.Produce) {
    // The partition leader epoch of a produced batch is the broker's to set: librdkafka and kafkajs
    // leave 0, Brook's client -1 as the Java client does. Its CRC does not cover it.
    for (const t of (body as ProduceRequest).topicData) {
      for (const p of t.partitionData) if (p.records !== null && p.records !== undefined && p.records.length >= 16) p.records.writeInt32BE(0, 12)
    }
  }
  return body as Record<string, unknown>
}

function kind (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (Buffer.isBuffer(v)) return 'bytes'
  return typeof v
}

/** Differences between two decoded bodies, as "path: a vs b"; `loose` paths only compare kinds. */
function diff (a: unknown, b: unknown, path: string, loose: Set<string>, out: string[]): void {
  const key = path.split('.').pop() ?? ''
  if (RUN_VALUES.has(key)) return
  // A client's choice may also be to leave a nullable field null.
  if (loose.has(path) && (kind(a) === kind(b) || a === null || b === null)) return
  if (kind(a) !== kind(b)) { out.push(`${path}: ${kind(a)} vs ${kind(b)}`); return }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) { out.push(`${path}: ${a.length} vs ${b.length} entries`); return }
    a.forEach((x, i) => diff(x, b[i], `${path}[]`, loose, out))
  } else if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) {
    if (!a.equals(b)) out.push(`${path}: bytes ${a.toString('hex')} vs ${b.toString('hex')}`)
  } else if (typeof a === 'object' && a !== null) {
    const bo = b as Record<string, unknown>
    const keys = new Set([...Object.keys(a), ...Object.keys(bo)])
    for (const k of keys) diff((a as Record<string, unknown>)[k], bo[k], path === '' ? k : `${path}.${k}`, loose, out)
  } else if (typeof a === 'string' && typeof b === 'string' && a.startsWith('captures-') && b.startsWith('captures-')) {
    // Topic and group names: each run uses its own.
  } else if (a !== b) {
    out.push(`${path}: ${String(a)} vs ${String(b)}`)
  }
}

for (const [name, drive] of Object.entries(references)) {
  test(`brook's requests match ${name}'s at the same versions`, { timeout: 90_000 }, async () => {
    proxy.setVersionCaps(new Map())
    const theirs = await capture(drive, name)
    assert.deepEqual([...theirs.keys()].sort((x, y) => x - y), COMPARED, `${name} sent every compared request`)
    proxy.setVersionCaps(new Map([...theirs.values()].map((r) => [r.apiKey, r.apiVersion])))
    const ours = await capture(brook, `brook-as-${name}`)
    proxy.setVersionCaps(new Map())

    const failures: string[] = []
    for (const [apiKey, reference] of theirs) {
      const label = `${NAMES.get(apiKey)} v${reference.apiVersion}`
      const own = ours.get(apiKey)
      if (own === undefined) { failures.push(`${label}: brook sent none`); continue }
      if (own.apiVersion !== reference.apiVersion) { failures.push(`${label}: brook sent v${own.apiVersion}`); continue }
      for (const [who, r] of [[name, reference], ['brook', own]] as const) {
        if (!roundTripRequestFrame(r.frame).equals(r.frame)) failures.push(`${label}: ${who}'s frame does not round-trip byte for byte`)
      }
      const differences: string[] = []
      diff(decodeNormalised(reference.frame), decodeNormalised(own.frame), '', new Set(CLIENT_CHOICES[apiKey] ?? []), differences)
      for (const d of differences) failures.push(`${label}: ${d}`)
    }
    assert.deepEqual(failures, [])
  })
}

// Dynamic broker configs over the wire: AlterConfigs / IncrementalAlterConfigs on the broker
// resources ("" = cluster default, the node id = this broker), their precedence over
// server.properties, their effect on running topics, the refusals, and persistence across restart.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  alterConfigsApi, createTopicsApi, decodeBatches, describeConfigsApi, ErrorCode, fetchApi, incrementalAlterConfigsApi, produceApi,
  TimestampType
} from '@brook/protocol'
import { type Logger, silentLogger } from '@brook/common'
import { startBroker } from '../../src/broker.js'
import { ConfigSource } from '../../src/config/topic-config.js'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { batchOf, fetchBody, produceBody } from '../helpers/records.js'

const TOPIC = 2
const BROKER = 4
const SET = 0
const DELETE = 1
const APPEND = 2

let broker: TestBroker
let client: RawClient
let self: string

before(async () => {
  broker = await startTestBroker({ 'log.retention.hours': '24' })
  client = await RawClient.connect(broker.bootstrap)
  self = String(broker.nodeId)
  for (const name of ['plain', 'overridden']) {
    await client.request(createTopicsApi, 7, {
      topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: name === 'overridden' ? [{ name: 'max.message.bytes', value: '100000' }] : [] }],
      timeoutMs: 1000
    })
  }
})
after(async () => {
  client.close()
  await broker.destroy()
})

async function incremental (resourceName: string, configs: Array<{ name: string, configOperation: number, value: string | null }>, validateOnly = false): Promise<{ errorCode: number, errorMessage: string | null }> {
  const r = await client.request(incrementalAlterConfigsApi, 1, { resources: [{ resourceType: BROKER, resourceName, configs }], validateOnly })
  const res = r.responses[0]
  return { errorCode: res?.errorCode ?? -1, errorMessage: res?.errorMessage ?? null }
}

async function describe (resourceType: number, resourceName: string, keys: string[] | null = null) {
  const r = await client.request(describeConfigsApi, 4, {
    resources: [{ resourceType, resourceName, configurationKeys: keys }], includeSynonyms: true, includeDocumentation: false
  })
  return new Map(r.results[0]?.configs.map((c) => [c.name, c]))
}

async function produceBytes (topic: string, valueBytes: number): Promise<number> {
  const r = await client.request(produceApi, 9, produceBody(topic, await batchOf(['x'.repeat(valueBytes)])))
  return r.responses[0]?.partitionResponses[0]?.errorCode ?? -1
}

test('a cluster default applies to topics without an override, above server.properties', async () => {
  assert.deepEqual(await incremental('', [{ name: 'log.retention.ms', configOperation: SET, value: '60000' }]), { errorCode: ErrorCode.NONE, errorMessage: null })
  const retention = (await describe(TOPIC, 'plain')).get('retention.ms')
  assert.equal(retention?.value, '60000')
  assert.equal(retention?.configSource, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
  assert.deepEqual(retention?.synonyms?.map((s) => [s.name, s.value, s.source]), [
    ['log.retention.ms', '60000', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    ['log.retention.hours', '24', ConfigSource.STATIC_BROKER_CONFIG],
    ['log.retention.hours', '168', ConfigSource.DEFAULT_CONFIG]
  ])
  const defaults = await describe(BROKER, '')
  assert.deepEqual([...defaults.keys()], ['log.retention.ms'])
  assert.equal(defaults.get('log.retention.ms')?.configSource, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
  const own = (await describe(BROKER, self, ['log.retention.ms', 'num.partitions']))
  assert.deepEqual([own.get('log.retention.ms')?.value, own.get('log.retention.ms')?.configSource, own.get('log.retention.ms')?.readOnly], ['60000', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, false])
  assert.equal(own.get('num.partitions')?.readOnly, true)
})

test('the broker\'s own layer wins over the cluster default, and produce obeys it at once', async () => {
  assert.equal((await incremental('', [{ name: 'message.max.bytes', configOperation: SET, value: '5000' }])).errorCode, ErrorCode.NONE)
  assert.equal((await incremental(self, [{ name: 'message.max.bytes', configOperation: SET, value: '2000' }])).errorCode, ErrorCode.NONE)
  const described = (await describe(BROKER, self, ['message.max.bytes'])).get('message.max.bytes')
  assert.deepEqual(described?.synonyms?.map((s) => [s.value, s.source]), [
    ['2000', ConfigSource.DYNAMIC_BROKER_CONFIG], ['5000', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG], ['1048588', ConfigSource.DEFAULT_CONFIG]
  ])
  assert.equal((await describe(TOPIC, 'plain')).get('max.message.bytes')?.value, '2000')
  assert.equal(await produceBytes('plain', 3000), ErrorCode.MESSAGE_TOO_LARGE)
  assert.equal(await produceBytes('overridden', 3000), ErrorCode.NONE, 'a topic override still wins')
  assert.equal((await incremental(self, [{ name: 'message.max.bytes', configOperation: DELETE, value: null }])).errorCode, ErrorCode.NONE)
  assert.equal(await produceBytes('plain', 3000), ErrorCode.NONE)
  assert.equal(await produceBytes('plain', 6000), ErrorCode.MESSAGE_TOO_LARGE)
})

test('running logs take a changed default (LogAppendTime stamps the next batch)', async () => {
  assert.equal((await incremental('', [{ name: 'log.message.timestamp.type', configOperation: SET, value: 'LogAppendTime' }])).errorCode, ErrorCode.NONE)
  const before = BigInt(Date.now())
  const produced = await client.request(produceApi, 9, produceBody('plain', await batchOf(['stamped'], { timestamp: 1000n })))
  const offset = produced.responses[0]?.partitionResponses[0]?.baseOffset ?? -1n
  const fetched = await client.request(fetchApi, 11, fetchBody('plain', offset))
  const records = fetched.responses[0]?.partitions[0]?.records
  const batches = await decodeBatches(Buffer.isBuffer(records) ? records : Buffer.alloc(0))
  assert.equal(batches[0]?.timestampType, TimestampType.LogAppendTime)
  assert.ok((batches[0]?.header.maxTimestamp ?? 0n) >= before, 'maxTimestamp is the broker\'s clock, not the producer\'s 1000')
  assert.equal((await incremental('', [{ name: 'log.message.timestamp.type', configOperation: DELETE, value: null }])).errorCode, ErrorCode.NONE)
})

test('read-only and unknown names, bad values and other broker ids are refused, and nothing is applied', async () => {
  const mixed = await incremental('', [
    { name: 'log.segment.bytes', configOperation: SET, value: '2000000' },
    { name: 'num.partitions', configOperation: SET, value: '3' }
  ])
  assert.equal(mixed.errorCode, ErrorCode.INVALID_REQUEST)
  assert.match(mixed.errorMessage ?? '', /Cannot update these configs dynamically: Set\(num.partitions\)/)
  assert.equal((await incremental('', [{ name: 'no.such.config', configOperation: SET, value: '1' }])).errorCode, ErrorCode.INVALID_REQUEST)
  assert.equal((await incremental('', [{ name: 'log.retention.ms', configOperation: SET, value: 'soon' }])).errorCode, ErrorCode.INVALID_CONFIG)
  assert.equal((await incremental('999', [{ name: 'log.retention.ms', configOperation: SET, value: '1' }])).errorCode, ErrorCode.INVALID_REQUEST)
  assert.equal((await incremental('', [{ name: 'log.retention.ms', configOperation: APPEND, value: '1' }])).errorCode, ErrorCode.INVALID_CONFIG)
  assert.equal((await incremental('', [{ name: 'log.segment.bytes', configOperation: SET, value: '2000000' }], true)).errorCode, ErrorCode.NONE)
  assert.equal((await describe(BROKER, '')).has('log.segment.bytes'), false, 'neither the refused request nor validate_only applied anything')
})

test('APPEND to a list starts from the effective value; AlterConfigs replaces the whole layer', async () => {
  assert.equal((await incremental('', [{ name: 'log.cleanup.policy', configOperation: APPEND, value: 'compact' }])).errorCode, ErrorCode.NONE)
  assert.equal((await describe(BROKER, '')).get('log.cleanup.policy')?.value, 'delete,compact')
  const replaced = await client.request(alterConfigsApi, 2, {
    resources: [{ resourceType: BROKER, resourceName: '', configs: [{ name: 'log.segment.bytes', value: '2000000' }] }], validateOnly: false
  })
  assert.equal(replaced.responses[0]?.errorCode, ErrorCode.NONE)
  assert.deepEqual([...(await describe(BROKER, '')).entries()].map(([n, c]) => [n, c.value]), [['log.segment.bytes', '2000000']])
  assert.equal((await describe(TOPIC, 'plain')).get('segment.bytes')?.value, '2000000')
})

test('dynamic configs survive a restart', async () => {
  assert.equal((await incremental(self, [{ name: 'log.retention.ms', configOperation: SET, value: '123456' }])).errorCode, ErrorCode.NONE)
  client.close()
  await broker.close()
  broker = await startTestBroker({ 'log.retention.hours': '24' }, broker.dataDir)
  client = await RawClient.connect(broker.bootstrap)
  assert.equal((await describe(BROKER, '')).get('log.segment.bytes')?.value, '2000000')
  const retention = (await describe(TOPIC, 'plain')).get('retention.ms')
  assert.deepEqual([retention?.value, retention?.configSource], ['123456', ConfigSource.DYNAMIC_BROKER_CONFIG])
})

test('a persisted dynamic config the broker cannot take is ignored with an error naming the file, as Kafka does', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-dynamic-bad-'))
  const errors: string[] = []
  const logger: Logger = { ...silentLogger, error: (obj, msg) => { errors.push(msg ?? (typeof obj === 'string' ? obj : JSON.stringify(obj))) }, child: () => logger }
  try {
    await writeFile(join(dir, 'brook-broker-configs.json'), JSON.stringify({
      version: 1,
      default: { listeners: 'PLAINTEXT://:1', 'log.segment.bytes': '2000000' },
      broker: { 'log.retention.hours': '1', 'log.retention.ms': '60000' }
    }))
    const broker = await startBroker({ config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, logger })
    try {
      assert.deepEqual(Object.fromEntries(broker.config.dynamic('default')), { 'log.segment.bytes': '2000000' })
      assert.deepEqual(Object.fromEntries(broker.config.dynamic('broker')), { 'log.retention.ms': '60000' })
      assert.equal(broker.config.int('log.segment.bytes'), 2000000)
      assert.equal(errors.length, 2)
      assert.ok(errors.every((e) => e.includes('brook-broker-configs.json')), errors.join('\n'))
      assert.ok(errors.some((e) => e.startsWith('dynamic config listeners ')), errors.join('\n'))
      assert.ok(errors.some((e) => e.startsWith('dynamic config log.retention.hours ')), errors.join('\n'))
    } finally {
      await broker.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('Kafka\'s other dynamic configs are accepted and stored, cluster-wide or per broker by Kafka\'s rules', { timeout: 30_000 }, async () => {
  const clusterWide = [
    ['num.io.threads', '16'], ['num.network.threads', '6'], ['num.replica.fetchers', '2'], ['background.threads', '20'],
    ['log.cleaner.threads', '2'], ['log.cleaner.io.max.bytes.per.second', '1000000'], ['leader.replication.throttled.rate', '1048576'],
    ['follower.replication.throttled.rate', '1048576'], ['max.connections', '1000'], ['max.connections.per.ip', '100'],
    ['max.connection.creation.rate', '50'], ['producer.id.expiration.ms', '3600000'], ['listener.name.plaintext.max.connections', '10']
  ]
  const set = clusterWide.map(([name, value]) => ({ name: name as string, configOperation: SET, value: value as string }))
  assert.deepEqual(await incremental('', set), { errorCode: ErrorCode.NONE, errorMessage: null })
  const defaults = await describe(BROKER, '')
  for (const [name, value] of clusterWide) {
    assert.deepEqual([defaults.get(name as string)?.value, defaults.get(name as string)?.configSource], [value, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG], name)
  }
  const own = await describe(BROKER, self, ['num.io.threads', 'leader.replication.throttled.rate'])
  assert.deepEqual([own.get('num.io.threads')?.value, own.get('num.io.threads')?.readOnly], ['16', false])
  const documented = await client.request(describeConfigsApi, 4, {
    resources: [{ resourceType: BROKER, resourceName: self, configurationKeys: ['num.io.threads', 'background.threads'] }],
    includeSynonyms: false, includeDocumentation: true
  })
  for (const c of documented.results[0]?.configs ?? []) assert.match(c.documentation ?? '', /Accepted and stored; not used by Brook yet/, c.name)

  // Per-listener SSL settings: only with the listener prefix, and only on a broker's own layer.
  const keystore = [{ name: 'listener.name.external.ssl.keystore.location', configOperation: SET, value: '/etc/brook/ks.jks' },
    { name: 'listener.name.external.ssl.keystore.password', configOperation: SET, value: 'secret' },
    { name: 'ssl.cipher.suites', configOperation: SET, value: 'TLS_AES_128_GCM_SHA256' }]
  const atDefault = await incremental('', keystore)
  assert.equal(atDefault.errorCode, ErrorCode.INVALID_REQUEST)
  assert.match(atDefault.errorMessage ?? '', /^Cannot update these configs at default cluster level, broker id must be specified: Set\(/)
  assert.match(atDefault.errorMessage ?? '', /listener\.name\.external\.ssl\.keystore\.location/)
  assert.match(atDefault.errorMessage ?? '', /ssl\.cipher\.suites/)
  assert.deepEqual(await incremental(self, keystore), { errorCode: ErrorCode.NONE, errorMessage: null })
  const mine = await describe(BROKER, self)
  assert.equal(mine.get('listener.name.external.ssl.keystore.location')?.value, '/etc/brook/ks.jks')
  const password = mine.get('listener.name.external.ssl.keystore.password')
  assert.deepEqual([password?.value, password?.isSensitive, password?.configSource], [null, true, ConfigSource.DYNAMIC_BROKER_CONFIG])
  assert.deepEqual(password?.synonyms?.map((s) => [s.name, s.value]), [['listener.name.external.ssl.keystore.password', null]])

  const unprefixed = await incremental(self, [{ name: 'ssl.keystore.location', configOperation: SET, value: '/x' }])
  assert.deepEqual(unprefixed, { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'These security configs can be dynamically updated only per-listener using the listener prefix: Set(ssl.keystore.location)' })
  // Only the primary broker name of a topic default is dynamic.
  const hours = await incremental('', [{ name: 'log.retention.hours', configOperation: SET, value: '1' }])
  assert.deepEqual(hours, { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Cannot update these configs dynamically: Set(log.retention.hours)' })
  const listeners = await incremental(self, [{ name: 'listeners', configOperation: SET, value: 'PLAINTEXT://127.0.0.1:1' }])
  assert.deepEqual(listeners, { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Advertised listeners cannot be altered when using a Raft-based metadata quorum.' })
  assert.equal((await incremental(self, [{ name: 'num.io.threads', configOperation: SET, value: '0' }])).errorCode, ErrorCode.INVALID_CONFIG)
})

test('thread counts may at most halve or double the running value, as Kafka resizes its pools', { timeout: 30_000 }, async () => {
  // num.io.threads runs at 16 from the test above (cluster default).
  const tooMany = await incremental(self, [{ name: 'num.io.threads', configOperation: SET, value: '33' }])
  assert.deepEqual(tooMany, { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Dynamic thread count update validation failed for num.io.threads=33, value should not be greater than double the current value 16' })
  assert.equal((await incremental(self, [{ name: 'num.io.threads', configOperation: SET, value: '7' }])).errorCode, ErrorCode.INVALID_REQUEST)
  assert.equal((await incremental(self, [{ name: 'num.io.threads', configOperation: SET, value: '32' }])).errorCode, ErrorCode.NONE)
  const cleaners = await incremental(self, [{ name: 'log.cleaner.threads', configOperation: SET, value: '5' }])
  assert.deepEqual(cleaners, { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Log cleaner threads cannot be increased to more than double the current value 2' })
})

// Exchanges (docs/exchanges.md) with unchanged clients: kafkajs and kcat produce to exchange
// topics; kcat reads the destinations. Each destination receives exactly the records its
// bindings match, once each, every key in one destination partition (murmur2 of the key) and in
// the order produced; direct, fanout and headers exchanges; bindings changed while records flow;
// the alternate topic; bad bindings refused with INVALID_CONFIG; routing lag through the broker.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { partitionForKey } from '@brook/protocol'
import { assertSucceeded, kcatConsumeAll, runKcat, startTestBroker, type TestBroker, waitFor, type KcatMessage } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
type Admin = ReturnType<InstanceType<typeof Kafka>['admin']>

const VERBS = ['created', 'paid', 'shipped', 'cancelled']
const REGIONS = ['eu', 'us', 'asia']

async function routed (broker: TestBroker, exchange: string): Promise<void> {
  await waitFor(() => {
    const s = broker.exchangeRouting().find((e) => e.exchange === exchange)
    return s !== undefined && s.lag === 0
  }, 60_000)
}

async function create (admin: Admin, topics: Array<{ topic: string, partitions?: number, configs?: Record<string, string> }>): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions ?? 1, configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })) }))
  })
}

function header (m: KcatMessage, name: string): string | undefined {
  const h = m.headers ?? []
  for (let i = 0; i + 1 < h.length; i += 2) if (h[i] === name) return h[i + 1]
  return undefined
}

/** Each value once, each key in one partition (murmur2), each producer's values per key in order. */
function checkDestination (name: string, messages: readonly KcatMessage[], expected: ReadonlyArray<{ key: string, value: string }>, partitions: number): void {
  const values = messages.map((m) => m.payload ?? '')
  assert.equal(new Set(values).size, values.length, `${name}: no record twice`)
  assert.deepEqual([...values].sort(), expected.map((e) => e.value).sort(), `${name}: exactly its matches`)
  const perKey = new Map<string, KcatMessage[]>()
  for (const m of messages) {
    assert.equal(m.partition, partitionForKey(Buffer.from(m.key ?? ''), partitions), `${name}: key ${m.key} in its murmur2 partition`)
    const list = perKey.get(m.key ?? '') ?? []
    list.push(m)
    perKey.set(m.key ?? '', list)
  }
  for (const [key, list] of perKey) {
    list.sort((a, b) => a.offset - b.offset)
    for (const prefix of ['js-', 'kc-']) {
      const seq = list.map((m) => m.payload ?? '').filter((v) => v.startsWith(prefix)).map((v) => Number(v.slice(prefix.length)))
      assert.deepEqual(seq, [...seq].sort((a, b) => a - b), `${name}: key ${key} in produce order (${prefix})`)
    }
  }
}

test('topic exchange: order.*.eu -> eu-orders, order.# -> all-orders; 10,000 records from kafkajs and kcat, each routed once in per-key order', { timeout: 180_000 }, async () => {
  const broker = await startTestBroker()
  const kafka = new Kafka({ clientId: 'exchange-topic', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  try {
    await admin.connect()
    await create(admin, [{ topic: 'eu-orders', partitions: 3 }, { topic: 'all-orders', partitions: 2 }])
    await create(admin, [{ topic: 'orders-x', partitions: 3, configs: { 'exchange.type': 'topic', 'exchange.bindings': 'eu-orders:order.*.eu;all-orders:order.#' } }])
    const sent: Array<{ key: string, value: string }> = []
    const producer = kafka.producer()
    await producer.connect()
    for (let i = 0; i < 6000; i += 500) {
      const messages = Array.from({ length: 500 }, (_, j) => {
        const n = i + j
        // Some keys match no binding: invoice.* and the bare word "order" (order.# needs "order" first: it matches).
        const key = n % 10 === 0 ? `invoice.${VERBS[n % 4]}.eu` : `order.${VERBS[n % 4] as string}.${REGIONS[n % 3] as string}`
        return { key, value: `js-${n}` }
      })
      await producer.send({ topic: 'orders-x', messages, acks: -1 })
      sent.push(...messages)
    }
    await producer.disconnect()
    const lines: string[] = []
    for (let n = 0; n < 4000; n++) {
      const key = n === 7 ? 'order' : `order.${VERBS[n % 4] as string}.${REGIONS[(n + 1) % 3] as string}`
      lines.push(`${key}:kc-${n}`)
      sent.push({ key, value: `kc-${n}` })
    }
    assertSucceeded('kcat -P', await runKcat(['-P', '-b', broker.bootstrap, '-t', 'orders-x', '-K', ':', '-z', 'lz4'], { input: lines.join('\n') + '\n', timeoutMs: 60_000 }))
    await routed(broker, 'orders-x')
    const euExpected = sent.filter((s) => /^order\.[^.]+\.eu$/.test(s.key))
    const allExpected = sent.filter((s) => s.key === 'order' || s.key.startsWith('order.'))
    assert.ok(euExpected.length > 500 && allExpected.length > 1500 && allExpected.length < sent.length)
    checkDestination('eu-orders', await kcatConsumeAll(broker.bootstrap, 'eu-orders'), euExpected, 3)
    checkDestination('all-orders', await kcatConsumeAll(broker.bootstrap, 'all-orders'), allExpected, 2)
    const stats = broker.exchangeRouting().find((e) => e.exchange === 'orders-x')
    assert.equal(stats?.type, 'topic')
    assert.equal(stats?.routed, allExpected.length)
    assert.equal(stats?.unroutable, sent.length - allExpected.length, 'invoice.* matched nothing and there is no alternate: counted and dropped')
    // The routing positions as the admin API shows them: the offsets of group brook.exchange.orders-x.
    const ends = await admin.fetchTopicOffsets('orders-x')
    assert.equal(ends.reduce((n, p) => n + Number(p.high), 0), sent.length)
    await waitFor(async () => {
      const [committed] = await admin.fetchOffsets({ groupId: 'brook.exchange.orders-x', topics: ['orders-x'] })
      return ends.every((e) => committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high)
    }, 30_000)
    const { groups } = await admin.listGroups()
    assert.ok(groups.some((g) => g.groupId === 'brook.exchange.orders-x'), 'the routing positions group is listed')
  } finally {
    await admin.disconnect()
    await broker.close()
  }
})

test('direct, fanout and headers exchanges; routing key from a header; unroutable records to the alternate topic', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker()
  const kafka = new Kafka({ clientId: 'exchange-types', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  try {
    await admin.connect()
    await create(admin, ['red', 'blue', 'f1', 'f2', 'f3', 'eu-or-urgent', 'eu-and-urgent', 'lost'].map((topic) => ({ topic })))
    await create(admin, [
      { topic: 'direct-x', configs: { 'exchange.type': 'direct', 'exchange.bindings': 'red:red;blue:blue;blue:navy', 'exchange.alternate.topic': 'lost' } },
      { topic: 'fanout-x', configs: { 'exchange.type': 'fanout', 'exchange.bindings': 'f1;f2;f3' } },
      { topic: 'headers-x', configs: { 'exchange.type': 'headers', 'exchange.bindings': 'eu-or-urgent:any:region=eu,priority=urgent;eu-and-urgent:all:region=eu,priority=urgent' } },
      { topic: 'header-key-x', configs: { 'exchange.type': 'direct', 'exchange.routing.key.header': 'colour', 'exchange.bindings': 'red:red' } }
    ])
    const producer = kafka.producer()
    await producer.connect()
    const colours = ['red', 'blue', 'navy', 'green']
    await producer.send({ topic: 'direct-x', messages: Array.from({ length: 400 }, (_, i) => ({ key: colours[i % 4] as string, value: `d-${i}` })) })
    // A null key matches no direct binding: it goes to the alternate topic; a binary key is compared byte for byte.
    await producer.send({ topic: 'direct-x', messages: [{ key: null, value: 'd-null' }, { key: Buffer.from([0xff, 0x00]), value: 'd-binary' }, { key: Buffer.from('red'), value: 'd-red-bytes' }] })
    await producer.send({ topic: 'fanout-x', messages: Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 7}`, value: `f-${i}` })) })
    const combos = [{ region: 'eu', priority: 'urgent' }, { region: 'eu', priority: 'low' }, { region: 'us', priority: 'urgent' }, { region: 'us', priority: 'low' }]
    await producer.send({ topic: 'headers-x', messages: Array.from({ length: 400 }, (_, i) => ({ key: `h${i}`, value: `h-${i}`, headers: { ...combos[i % 4] } })) })
    await producer.send({ topic: 'header-key-x', messages: [{ key: 'blue', value: 'hk-red', headers: { colour: 'red' } }, { key: 'red', value: 'hk-blue', headers: { colour: 'blue' } }] })
    await producer.disconnect()
    for (const x of ['direct-x', 'fanout-x', 'headers-x', 'header-key-x']) await routed(broker, x)
    const payloads = async (topic: string): Promise<string[]> => (await kcatConsumeAll(broker.bootstrap, topic)).map((m) => m.payload ?? '')
    const range = (n: number, prefix: string, keep: (i: number) => boolean): string[] => Array.from({ length: n }, (_, i) => i).filter(keep).map((i) => `${prefix}${i}`)
    // Two exchanges feed 'red': each one's copies keep its order; the two interleave freely.
    const red = await payloads('red')
    assert.deepEqual(red.filter((v) => v.startsWith('d-')), [...range(400, 'd-', (i) => i % 4 === 0), 'd-red-bytes'])
    assert.deepEqual(red.filter((v) => !v.startsWith('d-')), ['hk-red'])
    assert.deepEqual(await payloads('blue'), range(400, 'd-', (i) => i % 4 === 1 || i % 4 === 2), 'two keys bound to blue, each record once')
    assert.deepEqual(await payloads('lost'), [...range(400, 'd-', (i) => i % 4 === 3), 'd-null', 'd-binary'])
    for (const f of ['f1', 'f2', 'f3']) assert.deepEqual((await payloads(f)).sort(), range(300, 'f-', () => true).sort(), `${f} gets every record`)
    assert.deepEqual((await payloads('eu-or-urgent')).sort(), range(400, 'h-', (i) => i % 4 !== 3).sort())
    assert.deepEqual((await payloads('eu-and-urgent')).sort(), range(400, 'h-', (i) => i % 4 === 0).sort())
    const eu = await kcatConsumeAll(broker.bootstrap, 'eu-and-urgent')
    assert.equal(header(eu[0] as KcatMessage, 'region'), 'eu', 'headers are kept on the copies')
    const direct = broker.exchangeRouting().find((e) => e.exchange === 'direct-x')
    assert.equal(direct?.alternate, 102)
  } finally {
    await admin.disconnect()
    await broker.close()
  }
})

test('bindings changed while records flow apply from the routing position; bad bindings get INVALID_CONFIG', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker()
  const kafka = new Kafka({ clientId: 'exchange-alter', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  try {
    await admin.connect()
    await create(admin, [{ topic: 'a' }, { topic: 'b' }])
    await create(admin, [{ topic: 'flow-x', configs: { 'exchange.type': 'fanout', 'exchange.bindings': 'a' } }])
    const producer = kafka.producer()
    await producer.connect()
    const setBindings = async (bindings: string): Promise<void> => {
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'flow-x', configEntries: [{ name: 'exchange.type', value: 'fanout' }, { name: 'exchange.bindings', value: bindings }] }] })
    }
    await producer.send({ topic: 'flow-x', messages: Array.from({ length: 100 }, (_, i) => ({ value: `one-${i}` })) })
    await routed(broker, 'flow-x')
    await setBindings('a;b')
    await producer.send({ topic: 'flow-x', messages: Array.from({ length: 100 }, (_, i) => ({ value: `two-${i}` })) })
    await routed(broker, 'flow-x')
    await setBindings('b')
    await producer.send({ topic: 'flow-x', messages: Array.from({ length: 100 }, (_, i) => ({ value: `three-${i}` })) })
    await routed(broker, 'flow-x')
    await producer.disconnect()
    const values = async (t: string): Promise<string[]> => (await kcatConsumeAll(broker.bootstrap, t)).map((m) => m.payload ?? '')
    const range = (p: string): string[] => Array.from({ length: 100 }, (_, i) => `${p}-${i}`)
    assert.deepEqual(await values('a'), [...range('one'), ...range('two')], 'a: unbound after the second batch')
    assert.deepEqual(await values('b'), [...range('two'), ...range('three')], 'b: bound before the second batch')

    const errorType = (err: unknown): string | undefined => {
      const e = err as { type?: string, errors?: Array<{ type?: string }> }
      return e.type ?? e.errors?.[0]?.type
    }
    const refused = async (configs: Record<string, string>): Promise<void> => {
      await assert.rejects(create(admin, [{ topic: 'bad-x', configs }]), (err: unknown) => {
        assert.equal(errorType(err), 'INVALID_CONFIG', `${JSON.stringify(configs)}: ${String(err)}`)
        return true
      })
    }
    await refused({ 'exchange.type': 'topic', 'exchange.bindings': 'a:order.*x.eu' })
    await refused({ 'exchange.type': 'topic', 'exchange.bindings': 'missing-topic:order.#' })
    await refused({ 'exchange.type': 'topic', 'exchange.bindings': 'bad-x:order.#' })
    await refused({ 'exchange.type': 'headers', 'exchange.bindings': 'a:some:region=eu' })
    await refused({ 'exchange.type': 'queue' })
    await refused({ 'exchange.type': 'fanout', 'exchange.alternate.topic': 'nope' })
    await refused({ 'exchange.bindings': 'a' })
    await assert.rejects(setBindings('a;ghost'), (err: unknown) => errorType(err) === 'INVALID_CONFIG')
    const metadata = await admin.fetchTopicMetadata({ topics: [] })
    assert.ok(!metadata.topics.some((t) => t.name === 'bad-x'), 'no refused exchange was created')
  } finally {
    await admin.disconnect()
    await broker.close()
  }
})

test('bindings added and removed while kafkajs produces: each destination gets one contiguous run, the change applies to every later record; lag in /metrics', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker()
  const kafka = new Kafka({ clientId: 'exchange-live', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  try {
    await admin.connect()
    await create(admin, [{ topic: 'live-a' }, { topic: 'live-b' }])
    await create(admin, [{ topic: 'live-x', configs: { 'exchange.type': 'fanout', 'exchange.bindings': 'live-a' } }])
    const setBindings = async (bindings: string): Promise<void> => {
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'live-x', configEntries: [{ name: 'exchange.type', value: 'fanout' }, { name: 'exchange.bindings', value: bindings }] }] })
    }
    const producer = kafka.producer()
    await producer.connect()
    let addedFrom = -1
    let removedFrom = -1
    for (let batch = 0; batch < 40; batch++) {
      if (batch === 11) { await setBindings('live-a;live-b'); addedFrom = batch * 50 }
      if (batch === 25) { await setBindings('live-b'); removedFrom = batch * 50 }
      await producer.send({ topic: 'live-x', messages: Array.from({ length: 50 }, (_, i) => ({ value: String(batch * 50 + i) })) })
    }
    await producer.disconnect()
    await routed(broker, 'live-x')
    const values = async (t: string): Promise<number[]> => (await kcatConsumeAll(broker.bootstrap, t)).map((m) => Number(m.payload))
    const a = await values('live-a')
    const b = await values('live-b')
    const run = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i)
    const end = a.length
    const start = 2000 - b.length
    assert.deepEqual(a, run(0, end), 'live-a: records from the start up to where it was unbound, in order')
    assert.deepEqual(b, run(start, 2000), 'live-b: records from where it was bound to the end, in order')
    assert.ok(start <= addedFrom, `live-b has every record produced after its binding was added (from ${start}, added at ${addedFrom})`)
    assert.ok(end <= removedFrom, `live-a has no record produced after its binding was removed (up to ${end}, removed at ${removedFrom})`)
    assert.ok(start <= end, 'records routed while both were bound went to both')
    const text = await broker.metrics.render()
    assert.match(text, /brook_exchange_routing_lag_records\{exchange="live-x"\} 0/)
    assert.match(text, /brook_exchange_routed_records\{exchange="live-x"\} 2000/)
  } finally {
    await admin.disconnect()
    await broker.close()
  }
})

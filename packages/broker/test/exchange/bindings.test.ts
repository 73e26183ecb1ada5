// Exchange configs and routing decisions without a broker: RabbitMQ's topic patterns, the
// bindings syntax per type with its INVALID_CONFIG reasons, and a record's destinations.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { KafkaRecord } from '@brook/protocol'
import { checkExchangeConfigs, exchangeConfig } from '../../src/exchange/bindings.js'
import { compileExchange, routeRecord } from '../../src/exchange/routing.js'
import { matchesPattern } from '../../src/exchange/topic-pattern.js'
import { ConfigError } from '../../src/config/schema.js'

const matches = (pattern: string, key: string): boolean => matchesPattern(pattern.split('.'), key.split('.'))

test('topic patterns: * is one word, # zero or more words', { timeout: 10_000 }, () => {
  assert.ok(matches('order.*.eu', 'order.created.eu'))
  assert.ok(!matches('order.*.eu', 'order.eu'))
  assert.ok(!matches('order.*.eu', 'order.a.b.eu'))
  assert.ok(matches('order.#', 'order'))
  assert.ok(matches('order.#', 'order.a.b.c'))
  assert.ok(!matches('order.#', 'orders.a'))
  assert.ok(matches('#', 'anything.at.all'))
  assert.ok(matches('#.eu', 'eu'))
  assert.ok(matches('a.#.z', 'a.z'))
  assert.ok(matches('a.#.z', 'a.b.c.z'))
  assert.ok(!matches('a.#.z', 'a.b.c'))
  assert.ok(matches('#.#.#.x', 'x'))
  assert.ok(!matches('#.#.#.#.#.#.#.#.#.#.#.y', Array.from({ length: 200 }, () => 'w').join('.')), 'many # stay fast (memoised)')
})

function refused (configs: Record<string, string>, reason: RegExp): void {
  assert.throws(() => { checkExchangeConfigs('x', configs, (t) => ['a', 'b', 'x'].includes(t)) }, (err: unknown) => err instanceof ConfigError && reason.test(err.message))
}

test('bindings syntax per type; INVALID_CONFIG reasons', { timeout: 10_000 }, () => {
  assert.equal(exchangeConfig({}), null)
  assert.deepEqual(exchangeConfig({ 'exchange.type': 'topic', 'exchange.bindings': ' a:order.*.eu ; b:order.# ;' })?.bindings,
    [{ destination: 'a', kind: 'pattern', pattern: 'order.*.eu' }, { destination: 'b', kind: 'pattern', pattern: 'order.#' }])
  assert.deepEqual(exchangeConfig({ 'exchange.type': 'direct', 'exchange.bindings': 'a:key:with:colons' })?.bindings, [{ destination: 'a', kind: 'key', key: 'key:with:colons' }])
  assert.deepEqual(exchangeConfig({ 'exchange.type': 'headers', 'exchange.bindings': 'a:any:x=1,y=' })?.bindings,
    [{ destination: 'a', kind: 'headers', match: 'any', headers: [{ name: 'x', value: '1' }, { name: 'y', value: '' }] }])
  refused({ 'exchange.type': 'queue' }, /one of: direct, topic, fanout, headers/)
  refused({ 'exchange.bindings': 'a' }, /needs exchange.type/)
  refused({ 'exchange.type': 'topic', 'exchange.bindings': 'a:order.*x' }, /whole words/)
  refused({ 'exchange.type': 'topic', 'exchange.bindings': 'a:' }, /empty/)
  refused({ 'exchange.type': 'topic', 'exchange.bindings': 'a' }, /destination:pattern/)
  refused({ 'exchange.type': 'fanout', 'exchange.bindings': 'a:k' }, /only its destination/)
  refused({ 'exchange.type': 'headers', 'exchange.bindings': 'a:some:x=1' }, /all:name=value/)
  refused({ 'exchange.type': 'headers', 'exchange.bindings': 'a:all:novalue' }, /not name=value/)
  refused({ 'exchange.type': 'direct', 'exchange.bindings': 'bad topic:k' }, /not a valid topic name/)
  refused({ 'exchange.type': 'fanout', 'exchange.bindings': 'a;c' }, /Destination topic c of exchange x does not exist/)
  refused({ 'exchange.type': 'fanout', 'exchange.bindings': 'x' }, /cannot route to itself/)
  refused({ 'exchange.type': 'fanout', 'exchange.alternate.topic': 'zz' }, /zz of exchange x does not exist/)
})

const record = (key: string | null, headers: Record<string, string> = {}): KafkaRecord => ({
  offset: 0n, timestamp: 0n, key: key === null ? null : Buffer.from(key), value: null,
  headers: Object.entries(headers).map(([k, v]) => ({ key: k, value: Buffer.from(v) }))
})

test('a record goes to each matching destination once, else to the alternate topic', { timeout: 10_000 }, () => {
  const topic = compileExchange(exchangeConfig({ 'exchange.type': 'topic', 'exchange.bindings': 'a:order.*.eu;a:order.#;b:#.eu', 'exchange.alternate.topic': 'alt' }) ?? assert.fail())
  assert.deepEqual(routeRecord(topic, record('order.paid.eu')), { kind: 'routed', destinations: ['a', 'b'] })
  assert.deepEqual(routeRecord(topic, record('invoice.us')), { kind: 'alternate', topic: 'alt' })
  assert.deepEqual(routeRecord(topic, record(null)), { kind: 'alternate', topic: 'alt' })
  const byHeader = compileExchange(exchangeConfig({ 'exchange.type': 'direct', 'exchange.bindings': 'a:red', 'exchange.routing.key.header': 'colour' }) ?? assert.fail())
  assert.deepEqual(routeRecord(byHeader, record('blue', { colour: 'red' })), { kind: 'routed', destinations: ['a'] })
  assert.deepEqual(routeRecord(byHeader, record('red')), { kind: 'unroutable' })
  const headers = compileExchange(exchangeConfig({ 'exchange.type': 'headers', 'exchange.bindings': 'all:all:r=eu,p=1;any:any:r=eu,p=1' }) ?? assert.fail())
  assert.deepEqual(routeRecord(headers, record(null, { r: 'eu' })), { kind: 'routed', destinations: ['any'] })
  assert.deepEqual(routeRecord(headers, record(null, { r: 'eu', p: '1' })), { kind: 'routed', destinations: ['all', 'any'] })
})

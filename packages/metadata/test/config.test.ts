import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_SESSION_TIMEOUT_MS, MetadataConfigError, leaseTtlSeconds, metadataConfigFrom,
  openMetadataStore, parseEndpoints
} from '../src/index.js'

describe('metadata config', () => {
  it('defaults to the embedded store under /brook with Brook\'s session defaults', { timeout: 5000 }, () => {
    const c = metadataConfigFrom({})
    assert.deepEqual(c.endpoints, [])
    assert.equal(c.prefix, '/brook')
    assert.equal(c.sessionTimeoutMs, DEFAULT_SESSION_TIMEOUT_MS)
    assert.equal(c.heartbeatIntervalMs, DEFAULT_HEARTBEAT_INTERVAL_MS)
    assert.ok(c.heartbeatIntervalMs < c.sessionTimeoutMs)
  })

  it('rounds the session timeout up to whole lease seconds', { timeout: 5000 }, () => {
    assert.equal(leaseTtlSeconds(9000), 9)
    assert.equal(leaseTtlSeconds(2001), 3)
    assert.equal(leaseTtlSeconds(2000), 2)
    assert.equal(leaseTtlSeconds(1), 1)
  })

  it('reads comma-separated endpoints with or without a scheme', { timeout: 5000 }, () => {
    assert.deepEqual(parseEndpoints('127.0.0.1:2379, http://10.0.0.2:2379 ,https://etcd.example:2379,'),
      ['http://127.0.0.1:2379', 'http://10.0.0.2:2379', 'https://etcd.example:2379'])
    assert.throws(() => parseEndpoints('127.0.0.1'), MetadataConfigError)
    assert.throws(() => parseEndpoints('ftp://x:1'), MetadataConfigError)
  })

  it('refuses settings that cannot work, naming the key', { timeout: 5000 }, () => {
    assert.throws(() => metadataConfigFrom({ 'broker.session.timeout.ms': '0' }), /broker\.session\.timeout\.ms/)
    assert.throws(() => metadataConfigFrom({ 'broker.session.timeout.ms': 'soon' }), /broker\.session\.timeout\.ms/)
    assert.throws(() => metadataConfigFrom({ 'broker.session.timeout.ms': '2000', 'broker.heartbeat.interval.ms': '2000' }),
      /broker\.heartbeat\.interval\.ms/)
    assert.throws(() => metadataConfigFrom({ 'etcd.prefix': 'brook' }), /etcd\.prefix/)
    assert.throws(() => metadataConfigFrom({ 'etcd.prefix': '/' }), /etcd\.prefix/)
    assert.equal(metadataConfigFrom({ 'etcd.prefix': '/team-a/' }).prefix, '/team-a/')
  })

  it('without etcd.endpoints, opens the embedded store', { timeout: 5000 }, async () => {
    const store = await openMetadataStore(metadataConfigFrom({}))
    try {
      const session = await store.registerBroker({ brokerId: 0, incarnationId: 'x', endpoints: [] })
      assert.equal(store.snapshot().brokers.get(0)?.brokerEpoch, session.brokerEpoch)
      const topic = await session.createTopic({ name: 't', replicas: [[0]] })
      assert.equal(topic.partitions[0]?.leader, 0)
    } finally {
      await store.close()
    }
  })
})

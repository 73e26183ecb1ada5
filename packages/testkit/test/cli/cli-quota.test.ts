// brook quota set|describe|delete against a broker: quotas set with brook are what another admin
// client (@platformatic/kafka) describes, describe filters by user, client id, default and any
// entity (strict or not), the broker's validation errors come back as brook errors, and deleted
// keys are gone.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin } from '@platformatic/kafka'
import { ensurePromiseWithResolvers, startTestBroker } from '@brook/testkit'
import { brook, brookJson, brookOk } from './brook.js'

ensurePromiseWithResolvers()

interface Row { entity: string, key: string, value: number }

test('brook quota: set, describe with filters, validation errors, delete', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker()
  const b = ['-b', broker.bootstrap]
  try {
    await brookOk(['quota', 'set', '--user', 'alice', 'producer_byte_rate=1048576', 'consumer_byte_rate=2097152', ...b])
    await brookOk(['quota', 'set', '--user', 'alice', '--client', 'reporting', 'request_percentage=50', ...b])
    await brookOk(['quota', 'set', '--client-default', 'controller_mutation_rate=10', ...b])
    await brookOk(['quota', 'set', '--ip-default', 'connection_creation_rate=20', ...b])

    assert.deepEqual(await brookJson<Row[]>(['quota', 'describe', ...b]), [
      { entity: 'client-id=<default>', key: 'controller_mutation_rate', value: 10 },
      { entity: 'ip=<default>', key: 'connection_creation_rate', value: 20 },
      { entity: 'user=alice', key: 'consumer_byte_rate', value: 2097152 },
      { entity: 'user=alice', key: 'producer_byte_rate', value: 1048576 },
      { entity: 'user=alice,client-id=reporting', key: 'request_percentage', value: 50 }
    ])
    assert.deepEqual((await brookJson<Row[]>(['quota', 'describe', '--user', 'alice', ...b])).map((r) => `${r.entity} ${r.key}`), [
      'user=alice consumer_byte_rate', 'user=alice producer_byte_rate', 'user=alice,client-id=reporting request_percentage'
    ])
    assert.deepEqual((await brookJson<Row[]>(['quota', 'describe', '--any-user', '--strict', ...b])).map((r) => r.entity), ['user=alice', 'user=alice'])
    assert.deepEqual((await brookJson<Row[]>(['quota', 'describe', '--client-default', ...b])).map((r) => r.key), ['controller_mutation_rate'])
    const table = (await brookOk(['quota', 'describe', '--ip-default', ...b])).out
    assert.match(table, /ip=<default>\s+connection_creation_rate\s+20/)

    // Another admin client sees what brook set.
    const admin = new Admin({ clientId: 'brook-quota-check', bootstrapBrokers: [broker.bootstrap], retries: 1 })
    try {
      const seen = await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: true })
      assert.deepEqual(seen.map((e) => e.values.map((v) => `${v.key}=${v.value}`).sort()), [['consumer_byte_rate=2097152', 'producer_byte_rate=1048576']])
    } finally {
      await admin.close()
    }

    // The broker's checks: an IP entity takes only connection_creation_rate; values must be > 0.
    const wrongKey = await brook(['quota', 'set', '--ip', '10.0.0.7', 'producer_byte_rate=5', ...b])
    assert.equal(wrongKey.code, 1)
    assert.match(wrongKey.stderr, /INVALID_REQUEST.*Invalid configuration key producer_byte_rate/s)
    const zero = await brook(['quota', 'set', '--user', 'bob', 'producer_byte_rate=0', ...b])
    assert.equal(zero.code, 1)
    assert.match(zero.stderr, /must be greater than 0/)
    const noEntity = await brook(['quota', 'set', 'producer_byte_rate=5', ...b])
    assert.equal(noEntity.code, 2)
    assert.match(noEntity.stderr, /name the entity/)
    const notNumber = await brook(['quota', 'set', '--user', 'bob', 'producer_byte_rate=fast', ...b])
    assert.equal(notNumber.code, 2)

    await brookOk(['quota', 'delete', '--user', 'alice', 'producer_byte_rate', 'consumer_byte_rate', ...b])
    assert.deepEqual((await brookJson<Row[]>(['quota', 'describe', '--user', 'alice', '--strict', ...b])), [])
  } finally {
    await broker.close()
  }
})

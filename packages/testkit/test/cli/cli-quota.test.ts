// brook quota set|describe|delete against a broker: quotas set with brook are what another admin
// client (@platformatic/kafka) describes, describe filters by user, client id, default and any
// entity (strict or not), and deleted keys are gone (errors: cli-quota-errors.test.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin } from '@platformatic/kafka'
import { ensurePromiseWithResolvers, startTestBroker } from '@brook/testkit'
import { brookJson, brookOk } from './brook.js'

ensurePromiseWithResolvers()

interface Row { entity: string, key: string, value: number }

test('brook quota: set, describe with filters, delete', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker()
  const b = ['-b', broker.bootstrap]
  // Another admin client, in this process: it sees what brook set and removed.
  const admin = new Admin({ clientId: 'brook-quota-check', bootstrapBrokers: [broker.bootstrap], retries: 1 })
  const aliceSeen = async (): Promise<string[][]> => (await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: true }))
    .map((e) => e.values.map((v) => `${v.key}=${v.value}`).sort())
  try {
    await brookOk(['quota', 'set', '--user', 'alice', 'producer_byte_rate=1048576', 'consumer_byte_rate=2097152', ...b])
    await brookOk(['quota', 'set', '--user', 'alice', '--client', 'reporting', 'request_percentage=50', ...b])
    await brookOk(['quota', 'set', '--ip-default', 'connection_creation_rate=20', ...b])
    assert.deepEqual(await aliceSeen(), [['consumer_byte_rate=2097152', 'producer_byte_rate=1048576']])

    assert.deepEqual(await brookJson<Row[]>(['quota', 'describe', ...b]), [
      { entity: 'ip=<default>', key: 'connection_creation_rate', value: 20 },
      { entity: 'user=alice', key: 'consumer_byte_rate', value: 2097152 },
      { entity: 'user=alice', key: 'producer_byte_rate', value: 1048576 },
      { entity: 'user=alice,client-id=reporting', key: 'request_percentage', value: 50 }
    ])
    assert.deepEqual((await brookJson<Row[]>(['quota', 'describe', '--user', 'alice', ...b])).map((r) => `${r.entity} ${r.key}`), [
      'user=alice consumer_byte_rate', 'user=alice producer_byte_rate', 'user=alice,client-id=reporting request_percentage'
    ])
    const strict = (await brookOk(['quota', 'describe', '--any-user', '--strict', ...b])).out
    assert.match(strict, /^ENTITY\s+KEY\s+VALUE\nuser=alice\s+consumer_byte_rate\s+2097152\nuser=alice\s+producer_byte_rate\s+1048576\n$/)

    await brookOk(['quota', 'delete', '--user', 'alice', 'producer_byte_rate', 'consumer_byte_rate', ...b])
    assert.deepEqual(await aliceSeen(), [])
  } finally {
    await admin.close()
    await broker.close()
  }
})

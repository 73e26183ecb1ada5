// Client quotas through @platformatic/kafka's admin (AlterClientQuotas, DescribeClientQuotas):
// each match type, strict and non-strict filters, Kafka's validation errors per entry, and the
// quotas surviving a broker restart on the same log dir.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin } from '@platformatic/kafka'
import { ensurePromiseWithResolvers, startBroker, tempDir, type RunningBroker } from '@brook/testkit'

ensurePromiseWithResolvers()

const EXACT = 0
const DEFAULT = 1
const ANY = 2

type Entry = Awaited<ReturnType<Admin['describeClientQuotas']>>[number]

/** "user=alice,client-id=<default>" per entry, sorted, with its values. */
function render (entries: Entry[]): string[] {
  return entries.map((e) => {
    const entity = [...e.entity].sort((a, b) => a.entityType.localeCompare(b.entityType)).map((c) => `${c.entityType}=${c.entityName ?? '<default>'}`).join(',')
    const values = [...e.values].sort((a, b) => a.key.localeCompare(b.key)).map((v) => `${v.key}:${v.value}`).join(',')
    return `${entity} ${values}`
  }).sort()
}

function adminFor (broker: RunningBroker): Admin {
  return new Admin({ clientId: 'brook-quota-admin', bootstrapBrokers: [broker.bootstrap], retries: 2, retryDelay: 200 })
}

test('client quotas: alter, describe with each match type, validation, restart', { timeout: 60_000 }, async () => {
  const dir = await tempDir('brook-quotas-')
  const config = { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir.path }
  let broker: RunningBroker | null = await startBroker({ config })
  let admin = adminFor(broker)
  try {
    const altered = await admin.alterClientQuotas({
      entries: [
        { entities: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }] },
        { entities: [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: 'app1' }], ops: [{ key: 'consumer_byte_rate', value: 2048, remove: false }] },
        { entities: [{ entityType: 'user', entityName: null }], ops: [{ key: 'producer_byte_rate', value: 4096, remove: false }, { key: 'request_percentage', value: 50.5, remove: false }] },
        { entities: [{ entityType: 'client-id', entityName: 'app2' }], ops: [{ key: 'consumer_byte_rate', value: 8192, remove: false }] },
        { entities: [{ entityType: 'client-id', entityName: null }], ops: [{ key: 'controller_mutation_rate', value: 10, remove: false }] },
        { entities: [{ entityType: 'ip', entityName: '10.0.0.1' }], ops: [{ key: 'connection_creation_rate', value: 5, remove: false }] }
      ]
    })
    assert.deepEqual(altered.map((e) => e.errorCode), [0, 0, 0, 0, 0, 0])

    // Every error is the entry's own; the valid entry next to them is applied.
    await assert.rejects(admin.alterClientQuotas({
      entries: [
        { entities: [{ entityType: 'user', entityName: 'bob' }], ops: [{ key: 'no_such_quota' as 'producer_byte_rate', value: 1, remove: false }] },
        { entities: [{ entityType: 'user', entityName: 'bob' }], ops: [{ key: 'producer_byte_rate', value: -5, remove: false }] },
        { entities: [{ entityType: 'user', entityName: 'bob' }], ops: [{ key: 'producer_byte_rate', value: 1.5, remove: false }] },
        { entities: [{ entityType: 'ip', entityName: '10.0.0.2' }, { entityType: 'user', entityName: 'bob' }], ops: [{ key: 'connection_creation_rate', value: 1, remove: false }] },
        { entities: [{ entityType: 'ip', entityName: '10.0.0.2' }], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] },
        { entities: [{ entityType: 'user', entityName: 'carol' }], ops: [{ key: 'producer_byte_rate', value: 100, remove: false }] }
      ]
    }), (err: Error & { errors?: Array<{ response?: { entries: Array<{ errorCode: number, errorMessage: string | null }> } }> }) => {
      const entries = err.errors?.[0]?.response?.entries ?? []
      assert.deepEqual(entries.map((e) => e.errorCode), [42, 42, 42, 42, 42, 0])
      const messages = entries.map((e) => e.errorMessage ?? '')
      assert.match(messages[0] ?? '', /Invalid configuration key no_such_quota/)
      assert.match(messages[1] ?? '', /must be greater than 0/)
      assert.match(messages[2] ?? '', /must be a Long value/)
      assert.match(messages[3] ?? '', /IP entity should not be combined/)
      assert.match(messages[4] ?? '', /Invalid configuration key producer_byte_rate/)
      return true
    })

    const describe = async (components: Parameters<Admin['describeClientQuotas']>[0]['components'], strict = false): Promise<string[]> =>
      render(await admin.describeClientQuotas({ components, strict }))

    // EXACT
    assert.deepEqual(await describe([{ entityType: 'user', matchType: EXACT, match: 'alice' }]), [
      'client-id=app1,user=alice consumer_byte_rate:2048',
      'user=alice producer_byte_rate:1024'
    ])
    assert.deepEqual(await describe([{ entityType: 'user', matchType: EXACT, match: 'alice' }], true), ['user=alice producer_byte_rate:1024'])
    assert.deepEqual(await describe([{ entityType: 'user', matchType: EXACT, match: 'carol' }]), ['user=carol producer_byte_rate:100'])
    // DEFAULT
    assert.deepEqual(await describe([{ entityType: 'user', matchType: DEFAULT }]), ['user=<default> producer_byte_rate:4096,request_percentage:50.5'])
    assert.deepEqual(await describe([{ entityType: 'client-id', matchType: DEFAULT }]), ['client-id=<default> controller_mutation_rate:10'])
    // SPECIFIED (any named entity)
    assert.deepEqual(await describe([{ entityType: 'client-id', matchType: ANY }]), [
      'client-id=app1,user=alice consumer_byte_rate:2048',
      'client-id=app2 consumer_byte_rate:8192'
    ])
    assert.deepEqual(await describe([{ entityType: 'client-id', matchType: ANY }], true), ['client-id=app2 consumer_byte_rate:8192'])
    assert.deepEqual(await describe([{ entityType: 'ip', matchType: ANY }]), ['ip=10.0.0.1 connection_creation_rate:5'])
    // No component, not strict: everything.
    assert.equal((await describe([])).length, 7)
    // An invalid filter fails the whole request.
    await assert.rejects(admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: ANY }, { entityType: 'user', matchType: DEFAULT }] }), (err: Error & { errors?: Array<{ response?: { errorCode: number, errorMessage: string | null } }> }) => {
      const response = err.errors?.[0]?.response
      assert.equal(response?.errorCode, 42)
      assert.match(response?.errorMessage ?? '', /cannot appear more than once/)
      return true
    })

    // Remove one key, keep the other.
    const removed = await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'user', entityName: null }], ops: [{ key: 'request_percentage', remove: true }] }] })
    assert.deepEqual(removed.map((e) => e.errorCode), [0])
    // validateOnly changes nothing.
    await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'user', entityName: 'dave' }], ops: [{ key: 'producer_byte_rate', value: 7, remove: false }] }], validateOnly: true })
    assert.deepEqual(await describe([{ entityType: 'user', matchType: EXACT, match: 'dave' }]), [])

    const before = await describe([])
    await admin.close()
    await broker.close()
    broker = null
    broker = await startBroker({ config })
    admin = adminFor(broker)
    assert.deepEqual(await describe([]), before)
    assert.ok(before.includes('user=<default> producer_byte_rate:4096'))
  } finally {
    await admin.close().catch((err: unknown) => { console.error('admin close', err) })
    await broker?.close()
    await dir.cleanup()
  }
})

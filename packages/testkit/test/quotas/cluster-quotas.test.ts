// Cluster mode: client quotas live in etcd, so a quota altered through one broker is described
// and enforced by another, and a removal through the second (with `brook quota delete`) reaches
// the first. Two in-process brokers on one etcd; raw requests go to one broker each.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { alterClientQuotasApi, createTopicsApi, describeClientQuotasApi } from '@brook/protocol'
import { requestTo, startEtcd, startTestBroker, waitFor, type TestBroker } from '@brook/testkit'
import { brookOk } from '../cli/brook.js'

/** requestTo's client id. */
const CLIENT_ID = 'brook-testkit'

async function mutationRateSeenBy (broker: TestBroker): Promise<number | null> {
  const r = await requestTo(broker.port, describeClientQuotasApi, 1, { components: [{ entityType: 'client-id', matchType: 0, match: CLIENT_ID }], strict: true })
  assert.equal(r.errorCode, 0)
  return r.entries?.[0]?.values.find((v) => v.key === 'controller_mutation_rate')?.value ?? null
}

test('a quota altered through one broker is described and enforced by another; removed through the other, it is gone from the first', { timeout: 120_000 }, async () => {
  const etcd = await startEtcd()
  const brokers: TestBroker[] = []
  try {
    const shared = { 'etcd.endpoints': etcd.endpoint, 'etcd.prefix': `/brook-quotas-${randomUUID()}` }
    for (const id of [1, 2]) brokers.push(await startTestBroker({ ...shared, 'node.id': String(id) }))
    const [one, two] = brokers as [TestBroker, TestBroker]

    const altered = await requestTo(one.port, alterClientQuotasApi, 1, {
      entries: [{ entity: [{ entityType: 'client-id', entityName: CLIENT_ID }], ops: [{ key: 'controller_mutation_rate', value: 1, remove: false }] }],
      validateOnly: false
    })
    assert.deepEqual(altered.entries.map((e) => e.errorCode), [0])
    // Broker 2 never saw the AlterClientQuotas: it reads the quota from etcd.
    await waitFor(async () => await mutationRateSeenBy(two) === 1, 30_000, { message: 'broker 2 describing the quota' })

    // And enforces it: 30 partitions from a burst of 11 (1/s × 11 windows), the second topic refused.
    const topic = (name: string): { name: string, numPartitions: number, replicationFactor: number, assignments: [], configs: [] } =>
      ({ name, numPartitions: 30, replicationFactor: 1, assignments: [], configs: [] })
    const created = await requestTo(two.port, createTopicsApi, 7, { topics: [topic('q-one'), topic('q-two')], timeoutMs: 30_000, validateOnly: false }, 30_000)
    assert.deepEqual(created.topics.map((x) => [x.name, x.errorCode]).sort(), [['q-one', 0], ['q-two', 89]])
    assert.ok((created.throttleTimeMs ?? 0) > 10_000, `throttle_time_ms ${created.throttleTimeMs}, want about 19000`)

    await brookOk(['quota', 'delete', '--client', CLIENT_ID, 'controller_mutation_rate', '-b', `127.0.0.1:${two.port}`])
    await waitFor(async () => await mutationRateSeenBy(one) === null, 30_000, { message: 'broker 1 seeing the removal' })
  } finally {
    for (const b of brokers) await b.close()
    await etcd.close()
  }
})

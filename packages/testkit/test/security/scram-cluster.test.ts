// Cluster mode: SCRAM credentials live in etcd, so a user created through one broker
// (AlterUserScramCredentials, as an operator's admin client sends it) logs in on another, and a
// deletion through the second locks the user out of the first. Two in-process brokers on one etcd.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { ensurePromiseWithResolvers, runKcat, startEtcd, startTestBroker, upsertScramUsers, waitFor, type TestBroker } from '@brook/testkit'
import { alterUserScramCredentialsV0, Connection } from '@platformatic/kafka'

function portOf (broker: TestBroker, name: string): number {
  const listener = broker.listeners.find((l) => l.name === name)
  assert.ok(listener !== undefined, `listener ${name}`)
  return listener.port
}

async function canLogIn (broker: TestBroker, password: string): Promise<{ ok: boolean, stderr: string }> {
  const result = await runKcat(['-L', '-b', `127.0.0.1:${portOf(broker, 'SASL_PLAINTEXT')}`, '-m', '10',
    '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', 'sasl.username=erin', '-X', `sasl.password=${password}`],
  { timeoutMs: 30_000 })
  return { ok: result.code === 0 && result.stdout.toString('utf8').includes('brokers:'), stderr: result.stderr }
}

test('a SCRAM user created on one broker logs in on another; deleted on the other, it is locked out of the first', { timeout: 120_000 }, async () => {
  const etcd = await startEtcd()
  const brokers: TestBroker[] = []
  try {
    const shared = {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'etcd.endpoints': etcd.endpoint,
      'etcd.prefix': `/brook-scram-${randomUUID()}`,
      'connection.failed.authentication.delay.ms': '10'
    }
    for (const id of [1, 2]) brokers.push(await startTestBroker({ ...shared, 'node.id': String(id) }))
    const [one, two] = brokers as [TestBroker, TestBroker]

    const created = await upsertScramUsers(`127.0.0.1:${portOf(one, 'PLAINTEXT')}`, [{ name: 'erin', password: 'erin-secret', mechanism: 'SCRAM-SHA-512' }])
    assert.deepEqual(created.map((r) => r.errorCode), [0])
    // Broker 2 never saw the AlterUserScramCredentials: it reads the credential from etcd.
    await waitFor(async () => (await canLogIn(two, 'erin-secret')).ok, 30_000, { message: 'erin logging in on broker 2' })
    const wrong = await canLogIn(two, 'not-erins')
    assert.equal(wrong.ok, false)
    assert.match(wrong.stderr, /Authentication failed/)

    ensurePromiseWithResolvers()
    const connection = new Connection('brook-scram-cluster')
    await connection.connect('127.0.0.1', portOf(two, 'PLAINTEXT'))
    try {
      const deleted = await alterUserScramCredentialsV0.api.async(connection, [{ name: 'erin', mechanism: 2 }], [])
      assert.deepEqual(deleted.results.map((r) => r.errorCode), [0])
    } finally {
      await connection.close()
    }
    await waitFor(async () => !(await canLogIn(one, 'erin-secret')).ok, 30_000, { message: 'erin locked out of broker 1' })
  } finally {
    for (const b of brokers.reverse()) await b.close()
    await etcd.close()
  }
})

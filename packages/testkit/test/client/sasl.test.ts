// Brook's client logs in with SASL against the broker's SASL listeners: PLAIN and both SCRAM
// mechanisms, over plaintext and TLS; a wrong password is SASL_AUTHENTICATION_FAILED, not a hang.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Client, ErrorCode, KafkaError, type ConsumerMessage, type SaslOptions } from '@brook/client'
import { PLAIN_USERS, SCRAM_USERS, secureBrokerForFile } from '@brook/testkit'

const env = secureBrokerForFile()

const LOGINS: Array<{ name: string, sasl: SaslOptions }> = [
  { name: 'PLAIN', sasl: { mechanism: 'PLAIN', username: 'alice', password: PLAIN_USERS.alice } },
  { name: 'SCRAM-SHA-256', sasl: { mechanism: 'SCRAM-SHA-256', username: 'scram256', password: SCRAM_USERS.scram256 } },
  { name: 'SCRAM-SHA-512', sasl: { mechanism: 'SCRAM-SHA-512', username: 'scram512', password: SCRAM_USERS.scram512 } }
]

async function roundTrip (client: Client, topic: string): Promise<void> {
  const admin = client.admin()
  await admin.createTopics([{ topic, numPartitions: 1 }])
  await admin.close()
  const producer = client.producer()
  await producer.send({ topic, messages: [{ key: 'k', value: `hello over ${topic}` }] })
  await producer.close()
  const consumer = client.consumer({ maxWaitMs: 100 })
  consumer.assign([{ topic, partition: 0, offset: 0n }])
  const got: ConsumerMessage[] = []
  for await (const batch of consumer) {
    got.push(...batch.messages)
    if (got.length >= 1) break
  }
  await consumer.close()
  assert.equal(got[0]?.value?.toString(), `hello over ${topic}`)
}

test('PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 on SASL_PLAINTEXT and SASL_SSL: produce and consume', { timeout: 60_000 }, async () => {
  const ca = readFileSync(env.certs.caCert)
  for (const { name, sasl } of LOGINS) {
    const slug = name.toLowerCase().replace(/[^a-z0-9]/g, '-')
    await roundTrip(new Client({ brokers: [env.broker.bootstrapOf('SASL_PLAINTEXT')], sasl }), `sasl-${slug}`)
    await roundTrip(new Client({ brokers: [env.broker.bootstrapOf('SASL_SSL')], sasl, tls: { ca } }), `sasl-ssl-${slug}`)
  }
})

test('a wrong SCRAM password or an unknown user: SASL_AUTHENTICATION_FAILED', { timeout: 30_000 }, async () => {
  for (const sasl of [
    { mechanism: 'SCRAM-SHA-256', username: 'scram256', password: 'wrong' },
    { mechanism: 'SCRAM-SHA-512', username: 'nobody', password: 'x' }
  ] satisfies SaslOptions[]) {
    const admin = new Client({ brokers: [env.broker.bootstrapOf('SASL_PLAINTEXT')], sasl, retry: { retries: 0 } }).admin()
    await assert.rejects(admin.listTopics(), (err: unknown) => {
      assert.ok(err instanceof KafkaError, `a KafkaError, got ${String(err)}`)
      assert.equal(err.code, ErrorCode.SASL_AUTHENTICATION_FAILED)
      return true
    })
    await admin.close()
  }
})

test('SCRAM credentials through the admin API: created, described, used to log in, deleted', { timeout: 60_000 }, async () => {
  const admin = new Client({ brokers: [env.broker.bootstrapOf('PLAINTEXT')] }).admin()
  try {
    await admin.alterScramCredentials({ upsert: [{ user: 'carol', mechanism: 'SCRAM-SHA-512', password: 'carol-secret', iterations: 8192 }] })
    const [carol] = await admin.describeScramCredentials(['carol'])
    assert.deepEqual(carol, { user: 'carol', credentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 8192 }] })
    assert.ok((await admin.describeScramCredentials()).some((d) => d.user === 'scram256'), 'all users listed')

    const sasl: SaslOptions = { mechanism: 'SCRAM-SHA-512', username: 'carol', password: 'carol-secret' }
    await roundTrip(new Client({ brokers: [env.broker.bootstrapOf('SASL_PLAINTEXT')], sasl }), 'scram-admin-carol')

    await admin.alterScramCredentials({ delete: [{ user: 'carol', mechanism: 'SCRAM-SHA-512' }] })
    await assert.rejects(admin.describeScramCredentials(['carol']), (err: unknown) => err instanceof KafkaError && err.code === ErrorCode.RESOURCE_NOT_FOUND)
    const refused = new Client({ brokers: [env.broker.bootstrapOf('SASL_PLAINTEXT')], sasl, retry: { retries: 0 } }).admin()
    await assert.rejects(refused.listTopics(), (err: unknown) => err instanceof KafkaError && err.code === ErrorCode.SASL_AUTHENTICATION_FAILED)
    await refused.close()
    await assert.rejects(admin.alterScramCredentials({ upsert: [{ user: 'weak', mechanism: 'SCRAM-SHA-256', password: 'x', iterations: 10 }] }),
      (err: unknown) => err instanceof KafkaError && err.code === ErrorCode.UNACCEPTABLE_CREDENTIAL)
  } finally {
    await admin.close()
  }
})

// Describe/AlterUserScramCredentials (50/51) through @platformatic/kafka's encoding: Kafka's
// per-user errors, credentials that log in at once, survive a restart, and stop working once
// deleted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { deleteScramUsers, describeScramUsers, startBroker, tempDir, upsertScramUsers } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs

async function canLogin (bootstrap: string, username: string, password: string): Promise<boolean> {
  const admin = new Kafka({ clientId: 'brook-scram-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'scram-sha-256', username, password } }).admin()
  try {
    await admin.connect()
    await admin.listTopics()
    return true
  } catch (err) {
    if ((err as Error).name === 'KafkaJSSASLAuthenticationError') return false
    throw err
  } finally {
    await admin.disconnect()
  }
}

test('SCRAM credentials: Kafka errors, immediate use, durable across restart, deletion', { timeout: 60_000 }, async () => {
  const dir = await tempDir('brook-scram-')
  const config = {
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    'log.dirs': dir.path,
    'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512'
  }
  const start = async (): Promise<{ close: () => Promise<void>, admin: string, sasl: string }> => {
    const broker = await startBroker({ config })
    const at = (name: string): string => `127.0.0.1:${broker.listeners.find((l) => l.name === name)?.port ?? 0}`
    return { close: broker.close, admin: at('PLAINTEXT'), sasl: at('SASL_PLAINTEXT') }
  }
  let broker = await start()
  try {
    const results = await upsertScramUsers(broker.admin, [
      { name: 'carol', password: 'carol-pw', mechanism: 'SCRAM-SHA-256' },
      { name: 'carol', password: 'carol-pw', mechanism: 'SCRAM-SHA-512', iterations: 8192 },
      { name: 'weak', password: 'x', mechanism: 'SCRAM-SHA-256', iterations: 100 },
      { name: 'huge', password: 'x', mechanism: 'SCRAM-SHA-256', iterations: 20000 },
      { name: '', password: 'x', mechanism: 'SCRAM-SHA-256' }
    ])
    assert.deepEqual(results.map((r) => [r.user, r.errorCode]), [['carol', 0], ['weak', 93], ['huge', 93], ['', 93]])
    assert.equal(await canLogin(broker.sasl, 'carol', 'carol-pw'), true)
    assert.equal(await canLogin(broker.sasl, 'carol', 'wrong'), false)

    assert.deepEqual(await describeScramUsers(broker.admin, null), [
      { user: 'carol', errorCode: 0, credentials: [{ mechanism: 1, iterations: 4096 }, { mechanism: 2, iterations: 8192 }] }
    ])
    assert.deepEqual((await describeScramUsers(broker.admin, ['carol', 'nobody', 'carol'])).map((r) => [r.user, r.errorCode]), [['carol', 92], ['nobody', 91]])
    assert.deepEqual(await deleteScramUsers(broker.admin, [{ name: 'nobody', mechanism: 'SCRAM-SHA-256' }]), [{ user: 'nobody', errorCode: 91 }])

    await broker.close()
    broker = await start()
    assert.equal(await canLogin(broker.sasl, 'carol', 'carol-pw'), true, 'credentials survive a restart')
    assert.deepEqual(await deleteScramUsers(broker.admin, [{ name: 'carol', mechanism: 'SCRAM-SHA-256' }]), [{ user: 'carol', errorCode: 0 }])
    assert.equal(await canLogin(broker.sasl, 'carol', 'carol-pw'), false, 'a deleted credential no longer logs in')
    assert.deepEqual((await describeScramUsers(broker.admin, ['carol']))[0]?.credentials, [{ mechanism: 2, iterations: 8192 }])
  } finally {
    await broker.close()
    await dir.cleanup()
  }
})

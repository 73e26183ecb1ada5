// kafkajs over every security protocol: SASL_SSL with SCRAM-SHA-512, SASL_PLAINTEXT with PLAIN
// and SCRAM-SHA-256, SSL with a client certificate; produce and consume on each. A wrong password
// and an untrusted certificate are refused with the errors kafkajs reports for Kafka.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import kafkajs from 'kafkajs'
import { PLAIN_USERS, SCRAM_USERS, secureBrokerForFile } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
type KafkaConfig = ConstructorParameters<typeof Kafka>[0]

const env = secureBrokerForFile()

function tls (withClientCert: boolean): KafkaConfig['ssl'] {
  return {
    ca: [readFileSync(env.certs.caCert, 'utf8')],
    ...(withClientCert ? { cert: readFileSync(env.certs.clientCert, 'utf8'), key: readFileSync(env.certs.clientKey, 'utf8') } : {})
  }
}

async function roundTrip (config: Omit<KafkaConfig, 'clientId' | 'logLevel'>, topic: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'brook-security-kafkajs', logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 }, ...config })
  const admin = kafka.admin()
  const producer = kafka.producer()
  const consumer = kafka.consumer({ groupId: `g-${topic}` })
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    await producer.connect()
    const values = Array.from({ length: 20 }, (_, i) => `${topic}-${i}`)
    await producer.send({ topic, messages: values.map((value) => ({ value })) })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const got: string[] = []
    await new Promise<void>((resolve, reject) => {
      consumer.run({
        eachMessage: async ({ message }) => {
          got.push(message.value?.toString() ?? '')
          if (got.length === values.length) resolve()
        }
      }).catch(reject)
    })
    assert.deepEqual(got, values)
  } finally {
    await consumer.disconnect()
    await producer.disconnect()
    await admin.disconnect()
  }
}

test('kafkajs: SASL_SSL with SCRAM-SHA-512 produces and consumes', { timeout: 60_000 }, async () => {
  await roundTrip({ brokers: [env.broker.bootstrapOf('SASL_SSL')], ssl: tls(false), sasl: { mechanism: 'scram-sha-512', username: 'scram512', password: SCRAM_USERS.scram512 } }, 'kjs-sasl-ssl-512')
})

test('kafkajs: SASL_PLAINTEXT with PLAIN produces and consumes', { timeout: 60_000 }, async () => {
  await roundTrip({ brokers: [env.broker.bootstrapOf('SASL_PLAINTEXT')], sasl: { mechanism: 'plain', username: 'bob', password: PLAIN_USERS.bob } }, 'kjs-sasl-plain')
})

test('kafkajs: SASL_PLAINTEXT with SCRAM-SHA-256 produces and consumes', { timeout: 60_000 }, async () => {
  await roundTrip({ brokers: [env.broker.bootstrapOf('SASL_PLAINTEXT')], sasl: { mechanism: 'scram-sha-256', username: 'scram256', password: SCRAM_USERS.scram256 } }, 'kjs-sasl-256')
})

test('kafkajs: SSL with a client certificate produces and consumes', { timeout: 60_000 }, async () => {
  await roundTrip({ brokers: [env.broker.bootstrapOf('SSL')], ssl: tls(true) }, 'kjs-ssl')
})

test('kafkajs: a wrong password is refused with SASL_AUTHENTICATION_FAILED', { timeout: 30_000 }, async () => {
  for (const sasl of [
    { mechanism: 'plain' as const, username: 'alice', password: 'wrong' },
    { mechanism: 'scram-sha-256' as const, username: 'scram256', password: 'wrong' },
    { mechanism: 'scram-sha-512' as const, username: 'nobody', password: 'wrong' }
  ]) {
    const kafka = new Kafka({ clientId: 'brook-security-kafkajs', brokers: [env.broker.bootstrapOf('SASL_PLAINTEXT')], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl })
    const admin = kafka.admin()
    await assert.rejects(admin.connect(), (err: Error & { type?: string }) => {
      assert.equal(err.name, 'KafkaJSSASLAuthenticationError', `${sasl.mechanism}: ${err.name}: ${err.message}`)
      assert.match(err.message, /SASL_AUTHENTICATION_FAILED|Authentication failed/, err.message)
      return true
    })
    await admin.disconnect()
  }
})

test('kafkajs: an untrusted client certificate is refused; no certificate too (ssl.client.auth=required)', { timeout: 30_000 }, async () => {
  for (const ssl of [
    { ca: [readFileSync(env.certs.caCert, 'utf8')], cert: readFileSync(env.certs.untrustedCert, 'utf8'), key: readFileSync(env.certs.untrustedKey, 'utf8') },
    { ca: [readFileSync(env.certs.caCert, 'utf8')] }
  ]) {
    const kafka = new Kafka({ clientId: 'brook-security-kafkajs', brokers: [env.broker.bootstrapOf('SSL')], logLevel: logLevel.NOTHING, retry: { retries: 0 }, ssl })
    const admin = kafka.admin()
    // The env.broker ends the TLS handshake; kafkajs reports the closed connection (after its retry).
    await assert.rejects(admin.connect(), (err: Error) => {
      assert.match(err.name, /^KafkaJS(ConnectionError|NumberOfRetriesExceeded)$/, `${err.name}: ${err.message}`)
      assert.match(err.message, /Closed connection|certificate|handshake|ECONNRESET/i)
      return true
    })
    await admin.disconnect()
  }
})

// confluent-kafka-python (librdkafka 2.0.2) over every security protocol: SASL_SSL with
// SCRAM-SHA-512, SASL_PLAINTEXT with PLAIN and SCRAM-SHA-256, SSL with a client certificate;
// a wrong password and an untrusted certificate are refused with librdkafka's error names.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fixturePath, PLAIN_USERS, runPython, SCRAM_USERS, secureBrokerForFile } from '@brook/testkit'

const env = secureBrokerForFile()

interface Outcome { delivered?: number, values?: string[], error?: string, message?: string }

async function run (bootstrap: string, topic: string, security: Record<string, string>): Promise<Outcome> {
  const result = await runPython(fixturePath('confluent_secure_roundtrip.py'), [bootstrap, topic, '15', JSON.stringify(security)], { timeoutMs: 50_000 })
  assert.ok(!result.timedOut, 'python timed out')
  const out = result.stdout.toString('utf8').trim()
  assert.ok(out !== '', `no output; stderr: ${result.stderr.slice(-2000)}`)
  return JSON.parse(out.split('\n').pop() as string) as Outcome
}

function assertRoundTrip (outcome: Outcome, topic: string): void {
  assert.equal(outcome.error, undefined, `${outcome.error ?? ''}: ${outcome.message ?? ''}`)
  assert.equal(outcome.delivered, 15)
  assert.deepEqual(outcome.values, Array.from({ length: 15 }, (_, i) => `v-${i}`), topic)
}

test('confluent-kafka-python: SASL_SSL with SCRAM-SHA-512', { timeout: 60_000 }, async () => {
  assertRoundTrip(await run(env.broker.bootstrapOf('SASL_SSL'), 'py-sasl-ssl-512', {
    'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': 'scram512', 'sasl.password': SCRAM_USERS.scram512, 'ssl.ca.location': env.certs.caCert
  }), 'py-sasl-ssl-512')
})

test('confluent-kafka-python: SASL_PLAINTEXT with PLAIN and with SCRAM-SHA-256', { timeout: 60_000 }, async () => {
  assertRoundTrip(await run(env.broker.bootstrapOf('SASL_PLAINTEXT'), 'py-sasl-plain', {
    'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'bob', 'sasl.password': PLAIN_USERS.bob
  }), 'py-sasl-plain')
  assertRoundTrip(await run(env.broker.bootstrapOf('SASL_PLAINTEXT'), 'py-sasl-256', {
    'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'SCRAM-SHA-256', 'sasl.username': 'scram256', 'sasl.password': SCRAM_USERS.scram256
  }), 'py-sasl-256')
})

test('confluent-kafka-python: SSL with a client certificate', { timeout: 60_000 }, async () => {
  assertRoundTrip(await run(env.broker.bootstrapOf('SSL'), 'py-ssl', {
    'security.protocol': 'SSL', 'ssl.ca.location': env.certs.caCert, 'ssl.certificate.location': env.certs.clientCert, 'ssl.key.location': env.certs.clientKey
  }), 'py-ssl')
})

test('confluent-kafka-python: a wrong password and an untrusted certificate are refused', { timeout: 60_000 }, async () => {
  const wrong = await run(env.broker.bootstrapOf('SASL_PLAINTEXT'), 'py-refused', {
    'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'SCRAM-SHA-256', 'sasl.username': 'scram256', 'sasl.password': 'wrong'
  })
  assert.equal(wrong.error, '_AUTHENTICATION', wrong.message)
  assert.match(wrong.message ?? '', /Authentication failed/)
  const untrusted = await run(env.broker.bootstrapOf('SSL'), 'py-refused', {
    'security.protocol': 'SSL', 'ssl.ca.location': env.certs.caCert, 'ssl.certificate.location': env.certs.untrustedCert, 'ssl.key.location': env.certs.untrustedKey
  })
  assert.ok(untrusted.error === '_SSL' || untrusted.error === '_TRANSPORT' || untrusted.error === '_ALL_BROKERS_DOWN', `${untrusted.error ?? ''}: ${untrusted.message ?? ''}`)
})

// kcat (librdkafka 2.0.2) over every security protocol: produce then read back with SASL_SSL /
// SCRAM-SHA-512, SASL_PLAINTEXT / PLAIN and SCRAM-SHA-256, SSL with a client certificate. A wrong
// password and an untrusted certificate are refused with librdkafka's errors for Kafka.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { assertSucceeded, PLAIN_USERS, runKcat, SCRAM_USERS, secureBrokerForFile } from '@brook/testkit'

const env = secureBrokerForFile()

const x = (settings: Record<string, string>): string[] => Object.entries(settings).flatMap(([k, v]) => ['-X', `${k}=${v}`])

async function roundTrip (bootstrap: string, settings: Record<string, string>, topic: string): Promise<void> {
  const lines = Array.from({ length: 25 }, (_, i) => `${topic}-${i}`)
  assertSucceeded('kcat -P', await runKcat(['-P', '-b', bootstrap, '-t', topic, ...x(settings)], { input: lines.join('\n') + '\n', timeoutMs: 30_000 }))
  const read = assertSucceeded('kcat -C', await runKcat(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', ...x(settings)], { timeoutMs: 30_000 }))
  assert.deepEqual(read.stdout.toString('utf8').trim().split('\n'), lines)
}

test('kcat: SASL_SSL with SCRAM-SHA-512', { timeout: 60_000 }, async () => {
  await roundTrip(env.broker.bootstrapOf('SASL_SSL'), {
    'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': 'scram512', 'sasl.password': SCRAM_USERS.scram512, 'ssl.ca.location': env.certs.caCert
  }, 'kcat-sasl-ssl-512')
})

test('kcat: SASL_PLAINTEXT with PLAIN and with SCRAM-SHA-256', { timeout: 60_000 }, async () => {
  await roundTrip(env.broker.bootstrapOf('SASL_PLAINTEXT'), {
    'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': PLAIN_USERS.alice
  }, 'kcat-sasl-plain')
  await roundTrip(env.broker.bootstrapOf('SASL_PLAINTEXT'), {
    'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'SCRAM-SHA-256', 'sasl.username': 'scram256', 'sasl.password': SCRAM_USERS.scram256
  }, 'kcat-sasl-256')
})

test('kcat: SSL with a client certificate', { timeout: 60_000 }, async () => {
  await roundTrip(env.broker.bootstrapOf('SSL'), {
    'security.protocol': 'SSL', 'ssl.ca.location': env.certs.caCert, 'ssl.certificate.location': env.certs.clientCert, 'ssl.key.location': env.certs.clientKey
  }, 'kcat-ssl')
})

test('kcat: a wrong password and an untrusted certificate are refused', { timeout: 60_000 }, async () => {
  const wrong = await runKcat(['-L', '-b', env.broker.bootstrapOf('SASL_SSL'), '-m', '5', ...x({
    'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': 'scram512', 'sasl.password': 'wrong', 'ssl.ca.location': env.certs.caCert
  })], { timeoutMs: 30_000 })
  assert.notEqual(wrong.code, 0)
  assert.match(wrong.stderr, /SASL authentication error: Authentication failed/, wrong.stderr)
  assert.ok(!wrong.stderr.includes(SCRAM_USERS.scram512))

  const untrusted = await runKcat(['-L', '-b', env.broker.bootstrapOf('SSL'), '-m', '5', ...x({
    'security.protocol': 'SSL', 'ssl.ca.location': env.certs.caCert, 'ssl.certificate.location': env.certs.untrustedCert, 'ssl.key.location': env.certs.untrustedKey
  })], { timeoutMs: 30_000 })
  assert.notEqual(untrusted.code, 0)
  // TLS 1.3: the server checks the certificate after the client finished its side, so librdkafka
  // sees the connection end (as with Kafka), not a handshake alert.
  assert.match(untrusted.stderr, /SSL handshake failed|SSL routines|certificate/i, untrusted.stderr)
})

// How brook finds and talks to a cluster: the env var and a client properties file (TLS with a
// client certificate, SASL PLAIN over TLS, SCRAM-SHA-256/512), and bad credentials.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTestCerts, PLAIN_USERS, SCRAM_USERS, startSecureTestBroker, tempDir, type SecureTestBroker, type TempDir, type TestCerts } from '@brook/testkit'
import { brook, brookOk } from './brook.js'

let certs: TestCerts
let broker: SecureTestBroker
let dir: TempDir

before(async () => {
  certs = await makeTestCerts()
  broker = await startSecureTestBroker(certs)
  dir = await tempDir('brook-cli-conn-')
})
after(async () => {
  await broker.close()
  await certs.cleanup()
  await dir.cleanup()
})

async function properties (name: string, lines: string[]): Promise<string> {
  const file = join(dir.path, name)
  await writeFile(file, lines.join('\n') + '\n')
  return file
}

test('BROOK_BOOTSTRAP_SERVER, and bootstrap.servers from --command-config', { timeout: 60_000 }, async () => {
  const plaintext = broker.bootstrapOf('PLAINTEXT')
  await brookOk(['topic', 'create', 'by-env'], { env: { BROOK_BOOTSTRAP_SERVER: plaintext } })
  const file = await properties('plain.properties', ['# a comment', `bootstrap.servers=${plaintext}`, 'client.id=cli-test'])
  const listed = await brookOk(['topic', 'list', '--command-config', file])
  assert.match(listed.out, /^by-env /m)
  // The flag wins over the file.
  const wrong = await properties('wrong.properties', ['bootstrap.servers=127.0.0.1:1'])
  assert.match((await brookOk(['topic', 'list', '--command-config', wrong, '-b', plaintext])).out, /^by-env /m)
})

test('TLS with a client certificate, and SASL PLAIN over TLS, from a properties file', { timeout: 60_000 }, async () => {
  const tls = await properties('ssl.properties', [
    `bootstrap.servers=${broker.bootstrapOf('SSL')}`,
    'security.protocol=SSL',
    `ssl.ca.location=${certs.caCert}`,
    `ssl.certificate.location=${certs.clientCert}`,
    `ssl.key.location=${certs.clientKey}`
  ])
  await brookOk(['topic', 'create', 'over-tls', '-p', '1', '--command-config', tls])
  await brookOk(['topic', 'produce', 'over-tls', '--command-config', tls], { input: 'secret hello\n' })

  const sasl = await properties('sasl.properties', [
    `bootstrap.servers=${broker.bootstrapOf('SASL_SSL')}`,
    'security.protocol=SASL_SSL',
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${certs.caCert}`,
    'sasl.mechanism=PLAIN',
    `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="bob" password="${PLAIN_USERS.bob}";`
  ])
  const read = await brookOk(['topic', 'consume', 'over-tls', '-e', '-f', '%o %s\\n', '--command-config', sasl])
  assert.equal(read.out, '0 secret hello\n')

  const badPassword = await properties('bad.properties', [
    `bootstrap.servers=${broker.bootstrapOf('SASL_SSL')}`, 'security.protocol=SASL_SSL', `ssl.ca.location=${certs.caCert}`,
    'sasl.mechanism=PLAIN', 'sasl.username=bob', 'sasl.password=wrong'
  ])
  const refused = await brook(['topic', 'list', '--command-config', badPassword])
  assert.equal(refused.code, 1)
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr)
  assert.match(refused.stderr, /^brook: SASL_AUTHENTICATION_FAILED \(58\)/)
})

test('SASL SCRAM-SHA-256 and SCRAM-SHA-512 from a properties file', { timeout: 60_000 }, async () => {
  await brookOk(['topic', 'create', 'over-scram', '-p', '1', '-b', broker.bootstrapOf('PLAINTEXT')])
  for (const [mechanism, user] of [['SCRAM-SHA-256', 'scram256'], ['SCRAM-SHA-512', 'scram512']] as const) {
    const file = await properties(`${user}.properties`, [
      `bootstrap.servers=${broker.bootstrapOf('SASL_PLAINTEXT')}`, 'security.protocol=SASL_PLAINTEXT',
      `sasl.mechanism=${mechanism}`, `sasl.username=${user}`, `sasl.password=${SCRAM_USERS[user]}`
    ])
    await brookOk(['topic', 'produce', 'over-scram', '--command-config', file], { input: `${mechanism}\n` })
  }
  const read = await brookOk(['topic', 'consume', 'over-scram', '-e', '-b', broker.bootstrapOf('PLAINTEXT')])
  assert.equal(read.out, 'SCRAM-SHA-256\nSCRAM-SHA-512\n')
})

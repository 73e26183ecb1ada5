// TLS listener settings with Kafka's names, checked with Node's TLS client: inline PEM keystore
// with an encrypted key (ssl.key.password), ssl.enabled.protocols, ssl.client.auth=requested,
// the principal taken from a client certificate (and ssl.principal.mapping.rules), and the
// settings that stop the start.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { connect as netConnect, type Socket } from 'node:net'
import { connect, type ConnectionOptions, type SecureVersion } from 'node:tls'
import { apiVersionsV0Request, makeTestCerts, parseApiVersionsV0, recordingLogger, startTestBroker, type TestCerts } from '@brook/testkit'

let certs: TestCerts

before(async () => { certs = await makeTestCerts() })
after(async () => { await certs?.cleanup() })

/** Connects, sends ApiVersions v0, and says whether it was answered. */
async function served (port: number, options: ConnectionOptions): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(certs.caCert), ...options })
    const timer = setTimeout(() => { socket.destroy(); resolve(false) }, 5000)
    socket.once('secureConnect', () => socket.write(apiVersionsV0Request(4)))
    socket.once('data', (frame: Buffer) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(parseApiVersionsV0(frame.subarray(4)).correlationId === 4)
    })
    socket.once('error', () => { clearTimeout(timer); resolve(false) })
    socket.once('close', () => { clearTimeout(timer); resolve(false) })
  })
}

const clientCert = (): ConnectionOptions => ({ cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) })
const untrusted = (): ConnectionOptions => ({ cert: readFileSync(certs.untrustedCert), key: readFileSync(certs.untrustedKey) })
const only = (v: SecureVersion): ConnectionOptions => ({ minVersion: v, maxVersion: v })

test('inline PEM keystore with an encrypted key, TLSv1.3 only, client auth requested, principal from the certificate', { timeout: 30_000 }, async () => {
  const log = recordingLogger()
  const broker = await startTestBroker({
    listeners: 'SSL://127.0.0.1:0',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.certificate.chain': readFileSync(certs.serverCert, 'utf8'),
    'ssl.keystore.key': readFileSync(certs.serverKeyEncrypted, 'utf8'),
    'ssl.key.password': certs.serverKeyPassword,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.certificates': readFileSync(certs.caCert, 'utf8'),
    'ssl.enabled.protocols': 'TLSv1.3',
    'ssl.client.auth': 'requested'
  }, { logger: log })
  try {
    assert.equal(await served(broker.port, only('TLSv1.3')), true, 'no certificate is fine when requested')
    assert.equal(await served(broker.port, only('TLSv1.2')), false, 'TLSv1.2 is not enabled')
    assert.equal(await served(broker.port, { ...only('TLSv1.3'), ...untrusted() }), false, 'an untrusted certificate is refused')
    assert.equal(await served(broker.port, { ...only('TLSv1.3'), ...clientCert() }), true)
    const principals = log.lines.filter((l) => l.includes('TLS connection')).map((l) => (JSON.parse(l) as { principal: string }).principal)
    assert.deepEqual(principals, ['User:ANONYMOUS', `User:${certs.clientDn}`])
  } finally {
    await broker.close()
  }
})

test('ssl.principal.mapping.rules and required client auth on one listener (listener.name prefix)', { timeout: 30_000 }, async () => {
  const log = recordingLogger()
  const broker = await startTestBroker({
    listeners: 'PLAINTEXT://127.0.0.1:0,MTLS://127.0.0.1:0',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,MTLS:SSL',
    'listener.name.mtls.ssl.keystore.type': 'PEM',
    'listener.name.mtls.ssl.keystore.location': certs.serverKeystore,
    'listener.name.mtls.ssl.truststore.type': 'PEM',
    'listener.name.mtls.ssl.truststore.location': certs.caCert,
    'listener.name.mtls.ssl.client.auth': 'required',
    'ssl.principal.mapping.rules': 'RULE:^CN=([a-z]+),OU=Clients,.*$/$1/U,DEFAULT'
  }, { logger: log })
  try {
    const port = broker.listeners.find((l) => l.name === 'MTLS')?.port ?? 0
    assert.equal(await served(port, {}), false, 'a certificate is required')
    assert.equal(await served(port, clientCert()), true)
    assert.ok(log.lines.some((l) => l.includes('"principal":"User:ALICE"')), 'the rule mapped the subject')
  } finally {
    await broker.close()
  }
})

test('TLS settings that stop the start', { timeout: 30_000 }, async () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ listeners: 'SSL://127.0.0.1:0' }, /no keystore/],
    [{ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': certs.serverKeystore }, /JKS is not supported/],
    [{ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverKeystore, 'ssl.client.auth': 'required' }, /needs a truststore/],
    [{ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverKeystore, 'ssl.enabled.protocols': 'TLSv1.1' }, /neither TLSv1.2 nor TLSv1.3/],
    [{ listeners: 'SASL_PLAINTEXT://127.0.0.1:0' }, /GSSAPI is not supported/],
    [{ listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN' }, /plain\.sasl\.jaas\.config is not set/]
  ]
  for (const [config, message] of bad) {
    await assert.rejects(startTestBroker(config), message, JSON.stringify(config))
  }
})

test('a TLS handshake that never finishes does not hold up shutdown', { timeout: 20_000 }, async () => {
  const broker = await startTestBroker({ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverKeystore })
  const stalled = await new Promise<Socket>((resolve, reject) => {
    const socket = netConnect(broker.port, '127.0.0.1', () => {
      socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]))
      resolve(socket)
    })
    socket.on('error', reject)
  })
  const cut = new Promise<void>((resolve) => stalled.once('close', () => resolve()))
  // Node's own handshake timeout is 120 s: without the cut, close() waits that long.
  await broker.close()
  await cut
})

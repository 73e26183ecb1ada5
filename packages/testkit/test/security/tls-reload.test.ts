// Certificates replaced without a restart, the way Kafka's operators do it: AlterConfigs of the
// listener's keystore (listener.name.ssl.ssl.keystore.location) through kafkajs' admin. New
// connections get the new certificate, a connection made before keeps working, the same path
// with a replaced file is read again, and an unreadable keystore is refused with the listener
// still serving the certificate it had. kcat connects over the renewed listener.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { copyFile, readFile } from 'node:fs/promises'
import { connect, type TLSSocket } from 'node:tls'
import kafkajs from 'kafkajs'
import { apiVersionsApi, decodeResponseFrame, encodeRequestFrame, FrameSplitter } from '@brook/protocol'
import {
  assertSucceeded, issueServerKeystore, runKcat, secureBrokerForFile
} from '@brook/testkit'

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs

const env = secureBrokerForFile()

/** A TLS connection to the SSL listener (with the client certificate it requires). */
async function open (): Promise<TLSSocket> {
  const [host, port] = env.broker.bootstrapOf('SSL').split(':') as [string, string]
  const [ca, cert, key] = await Promise.all([env.certs.caCert, env.certs.clientCert, env.certs.clientKey].map(async (f) => await readFile(f, 'utf8')))
  return await new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port), ca, cert, key, servername: 'localhost' }, () => resolve(socket))
    socket.once('error', reject)
  })
}

const fingerprintOf = (socket: TLSSocket): string => socket.getPeerCertificate().fingerprint256
const fingerprintOfFile = async (pem: string): Promise<string> => new X509Certificate(await readFile(pem)).fingerprint256

async function servedFingerprint (): Promise<string> {
  const socket = await open()
  try {
    return fingerprintOf(socket)
  } finally {
    socket.destroy()
  }
}

/** An ApiVersions round trip on an open connection: the connection still serves requests. */
async function apiVersions (socket: TLSSocket, correlationId: number): Promise<number> {
  return await new Promise((resolve, reject) => {
    const splitter = new FrameSplitter(1 << 20)
    const onData = (chunk: Buffer): void => {
      splitter.push(chunk, (frame) => {
        socket.off('data', onData)
        const { correlationId: got, body } = decodeResponseFrame(frame, apiVersionsApi, 0)
        if (got !== correlationId) reject(new Error(`correlation id ${got}, expected ${correlationId}`))
        else resolve(body.apiKeys.length)
      })
    }
    socket.on('data', onData)
    socket.write(Buffer.concat(encodeRequestFrame(correlationId, 'brook-tls-reload', apiVersionsApi, 0, {})))
  })
}

async function setKeystore (location: string): Promise<void> {
  const admin = new Kafka({ clientId: 'brook-tls-reload', logLevel: logLevel.NOTHING, brokers: [env.broker.bootstrapOf('PLAINTEXT')], retry: { retries: 0 } }).admin()
  await admin.connect()
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: String(env.broker.nodeId), configEntries: [{ name: 'listener.name.ssl.ssl.keystore.location', value: location }] }]
    })
  } finally {
    await admin.disconnect()
  }
}

test('AlterConfigs of the keystore: new connections get the new certificate, old ones keep working', { timeout: 90_000 }, async () => {
  const first = await fingerprintOfFile(env.certs.serverKeystore)
  const old = await open()
  try {
    assert.equal(fingerprintOf(old), first)
    assert.ok(await apiVersions(old, 1) > 0)

    const renewed = await issueServerKeystore(env.certs, 'server-2')
    const second = await fingerprintOfFile(renewed)
    assert.notEqual(second, first)
    await setKeystore(renewed)
    assert.equal(await servedFingerprint(), second)
    // The connection made before the change is undisturbed.
    assert.ok(await apiVersions(old, 2) > 0)

    // The same path, its file replaced in place, then the same AlterConfigs: read again.
    const third = await issueServerKeystore(env.certs, 'server-3')
    await copyFile(third, renewed)
    await setKeystore(renewed)
    assert.equal(await servedFingerprint(), await fingerprintOfFile(third))

    // A client over the renewed listener.
    const meta = assertSucceeded('kcat -L', await runKcat(['-L', '-b', env.broker.bootstrapOf('SSL'), '-m', '10',
      '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${env.certs.caCert}`, '-X', `ssl.certificate.location=${env.certs.clientCert}`,
      '-X', `ssl.key.location=${env.certs.clientKey}`], { timeoutMs: 30_000 }))
    assert.match(meta.stdout.toString('utf8'), /1 brokers:/)
    assert.ok(await apiVersions(old, 3) > 0)
  } finally {
    old.destroy()
  }
})

test('an unreadable keystore is refused (INVALID_CONFIG) and the listener keeps its certificate', { timeout: 60_000 }, async () => {
  const before = await servedFingerprint()
  await assert.rejects(setKeystore(`${env.certs.dir}/missing-keystore.pem`), (err: Error & { type?: string }) => {
    assert.match(`${err.type ?? ''} ${err.message}`, /INVALID_CONFIG|configuration is invalid|cannot read/i)
    return true
  })
  assert.equal(await servedFingerprint(), before)
})

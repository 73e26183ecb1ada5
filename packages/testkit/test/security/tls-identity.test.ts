// A reloaded certificate must keep the listener's identity, as Kafka requires: a new keystore
// whose subject (DN) or subject alternative names differ from the served certificate's is refused
// with INVALID_CONFIG unless the listener allows it (ssl.allow.dn.changes, ssl.allow.san.changes).
// One broker: the SSL listener keeps Kafka's defaults (false), the SASL_SSL listener allows both.
// kcat connects over each listener afterwards and checks the host name against what is served.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { connect } from 'node:tls'
import { alterConfigsV2, Connection } from '@platformatic/kafka'
import { assertSucceeded, ensurePromiseWithResolvers, issueServerKeystore, PLAIN_USERS, runKcat, secureBrokerForFile } from '@brook/testkit'

const env = secureBrokerForFile({
  'listener.name.sasl_ssl.ssl.allow.dn.changes': 'true',
  'listener.name.sasl_ssl.ssl.allow.san.changes': 'true'
})

type TlsListener = 'SSL' | 'SASL_SSL'

interface AlterConfigsResponse { responses: Array<{ errorCode: number, errorMessage?: string | null }> }

/** The subject and fingerprint of the certificate a listener serves to a new connection. */
async function served (listener: TlsListener): Promise<{ subject: string, fingerprint: string }> {
  const [host, port] = env.broker.bootstrapOf(listener).split(':') as [string, string]
  const [ca, cert, key] = await Promise.all([env.certs.caCert, env.certs.clientCert, env.certs.clientKey].map(async (f) => await readFile(f, 'utf8')))
  return await new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port), ca, cert, key, servername: 'localhost' }, () => {
      const peer = socket.getPeerCertificate()
      socket.destroy()
      resolve({ subject: `O=${String(peer.subject.O)},CN=${String(peer.subject.CN)}`, fingerprint: peer.fingerprint256 })
    })
    socket.once('error', reject)
  })
}

const fingerprintOf = async (pem: string): Promise<string> => new X509Certificate(await readFile(pem)).fingerprint256

/** AlterConfigs of the listener's keystore, as kafka-configs.sh sends it: the error code and message. */
async function setKeystore (listener: TlsListener, location: string): Promise<{ errorCode: number, errorMessage: string | null }> {
  ensurePromiseWithResolvers()
  const connection = new Connection('brook-tls-identity')
  const [host, port] = env.broker.bootstrapOf('PLAINTEXT').split(':') as [string, string]
  await connection.connect(host, Number(port))
  try {
    let response: AlterConfigsResponse
    try {
      response = await alterConfigsV2.api.async(connection, [{
        resourceType: 4, resourceName: String(env.broker.nodeId), configs: [{ name: `listener.name.${listener.toLowerCase()}.ssl.keystore.location`, value: location }]
      }], false)
    } catch (err) {
      // An error code in the response arrives as an error carrying the response.
      const refused = (err as { response?: AlterConfigsResponse }).response
      if (refused === undefined) throw err
      response = refused
    }
    const result = response.responses[0]
    assert.ok(result !== undefined)
    return { errorCode: result.errorCode, errorMessage: result.errorMessage ?? null }
  } finally {
    await connection.close()
  }
}

/** kcat -L over the listener, verifying the broker's host name (librdkafka's default https). */
async function kcatMetadata (listener: TlsListener): Promise<string> {
  const security = listener === 'SSL'
    ? ['-X', 'security.protocol=SSL', '-X', `ssl.certificate.location=${env.certs.clientCert}`, '-X', `ssl.key.location=${env.certs.clientKey}`]
    : ['-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=bob', '-X', `sasl.password=${PLAIN_USERS.bob}`]
  const result = assertSucceeded(`kcat -L over ${listener}`, await runKcat(['-L', '-b', env.broker.bootstrapOf(listener), '-m', '10',
    '-X', `ssl.ca.location=${env.certs.caCert}`, '-X', 'ssl.endpoint.identification.algorithm=https', ...security], { timeoutMs: 30_000 }))
  return result.stdout.toString('utf8')
}

const INVALID_CONFIG = 40

test('by default a keystore naming another subject or other alternative names is refused; the listener keeps its certificate', { timeout: 90_000 }, async () => {
  const before = await served('SSL')
  const renamed = await issueServerKeystore(env.certs, 'renamed', { subject: '/O=Brook/CN=brook-renamed' })
  const dn = await setKeystore('SSL', renamed)
  assert.equal(dn.errorCode, INVALID_CONFIG)
  assert.match(dn.errorMessage ?? '', /Keystore DistinguishedName does not match: existing \{O=Brook,CN=localhost\}, new \{O=Brook,CN=brook-renamed\}/)
  const widened = await issueServerKeystore(env.certs, 'widened', { altNames: 'DNS:localhost,DNS:brook.example,IP:127.0.0.1' })
  const san = await setKeystore('SSL', widened)
  assert.equal(san.errorCode, INVALID_CONFIG)
  assert.match(san.errorMessage ?? '', /Keystore SubjectAltNames do not match: .*new \{DNS:brook\.example, DNS:localhost, IP Address:127\.0\.0\.1\}/)
  assert.deepEqual(await served('SSL'), before)
  assert.match(await kcatMetadata('SSL'), /1 brokers:/)

  // The same identity with a new key is still a plain renewal.
  const renewed = await issueServerKeystore(env.certs, 'renewed')
  assert.deepEqual(await setKeystore('SSL', renewed), { errorCode: 0, errorMessage: null })
  assert.equal((await served('SSL')).fingerprint, await fingerprintOf(renewed))
  assert.match(await kcatMetadata('SSL'), /1 brokers:/)
})

test('with ssl.allow.dn.changes and ssl.allow.san.changes the listener takes the new identity', { timeout: 90_000 }, async () => {
  const renamed = await issueServerKeystore(env.certs, 'sasl-renamed', { subject: '/O=Brook/CN=brook-renamed', altNames: 'DNS:localhost,DNS:brook.example,IP:127.0.0.1' })
  assert.deepEqual(await setKeystore('SASL_SSL', renamed), { errorCode: 0, errorMessage: null })
  const now = await served('SASL_SSL')
  assert.equal(now.subject, 'O=Brook,CN=brook-renamed')
  assert.equal(now.fingerprint, await fingerprintOf(renamed))
  assert.match(await kcatMetadata('SASL_SSL'), /1 brokers:/)
})

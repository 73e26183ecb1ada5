// https:// listeners: with http.ssl.keystore.location (a PEM chain + key, encrypted or not) the
// HTTP API answers over TLS, checked by curl against the test CA (a REST produce included, read
// back by kcat); an https:// listener without a keystore is refused at start.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { httpSettingsFrom, startHttpServer } from '@brook/http'
import { assertSucceeded, kcatConsumeAll, makeTestCerts, runCommand, startTestBroker, type TestBroker, type TestCerts } from '@brook/testkit'

let certs: TestCerts
let broker: TestBroker
before(async () => {
  certs = await makeTestCerts()
  broker = await startTestBroker({ 'num.partitions': '1' })
})
after(async () => {
  await broker?.close()
  await certs?.cleanup()
})

async function curl (args: string[]): Promise<{ status: number, body: string }> {
  const result = assertSucceeded('curl', await runCommand('curl', ['-sS', '--cacert', certs.caCert, '-w', '\n%{http_code}', ...args], { timeoutMs: 30_000 }))
  const text = result.stdout.toString('utf8')
  const cut = text.lastIndexOf('\n')
  return { status: Number(text.slice(cut + 1)), body: text.slice(0, cut) }
}

test('an https:// listener serves the API over TLS', { timeout: 60_000 }, async () => {
  const settings = new Map([['http.listeners', 'https://127.0.0.1:0'], ['http.ssl.keystore.location', certs.serverKeystore]])
  const http = await startHttpServer({ broker, ...httpSettingsFrom((name) => settings.get(name), '') })
  try {
    const url = http.addresses[0]?.url ?? ''
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/)
    const health = await curl([`${url}/healthz`])
    assert.deepEqual([health.status, JSON.parse(health.body)], [200, { status: 'ok' }])
    const produced = await curl(['-X', 'POST', '-H', 'content-type: application/vnd.kafka.json.v2+json', '--data', '{"records":[{"value":{"over":"tls"}}]}', `${url}/topics/over-tls`])
    assert.equal(produced.status, 404, 'no such topic yet: answered in the error shape over TLS')
    assert.equal((JSON.parse(produced.body) as { error_code: number }).error_code, 40401)
    const created = await curl(['-X', 'POST', '-H', 'content-type: application/json', '--data', '{"topic_name":"over-tls"}', `${url}/v3/clusters/${broker.clusterId}/topics`])
    assert.equal(created.status, 201, created.body)
    const again = await curl(['-X', 'POST', '-H', 'content-type: application/vnd.kafka.json.v2+json', '--data', '{"records":[{"value":{"over":"tls"}}]}', `${url}/topics/over-tls`])
    assert.equal(again.status, 200, again.body)
    assert.deepEqual((await kcatConsumeAll(broker.bootstrap, 'over-tls')).map((m) => m.payload), ['{"over":"tls"}'])
    // Plain HTTP to the TLS port is not served.
    const plain = await runCommand('curl', ['-sS', '--max-time', '10', url.replace('https:', 'http:') + '/healthz'], { timeoutMs: 30_000 })
    assert.notEqual(plain.code, 0)
  } finally {
    await http.close()
  }
})

test('an encrypted key with http.ssl.key.password; https without a keystore is refused', { timeout: 60_000 }, async () => {
  const encrypted = join(certs.dir, 'encrypted-keystore.pem')
  await writeFile(encrypted, Buffer.concat([await readFile(certs.serverCert), await readFile(certs.serverKeyEncrypted)]))
  const settings = new Map([['http.listeners', 'https://127.0.0.1:0'], ['http.ssl.keystore.location', encrypted], ['http.ssl.key.password', certs.serverKeyPassword]])
  const http = await startHttpServer({ broker, ...httpSettingsFrom((name) => settings.get(name), '') })
  try {
    assert.equal((await curl([`${http.addresses[0]?.url ?? ''}/healthz`])).status, 200)
  } finally {
    await http.close()
  }
  await assert.rejects(startHttpServer({ broker, listeners: 'https://127.0.0.1:0' }), /http\.ssl\.keystore\.location/)
})

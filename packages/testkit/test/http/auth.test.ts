// HTTP Basic authentication and the broker's ACLs on the REST API, against a broker with SASL
// listeners and Kafka's StandardAuthorizer: no or wrong credentials answer 401 with a Basic
// challenge; the health checks and /metrics stay open; alice (PLAIN) produces to and reads from
// the topic and group her ACLs allow (kcat reads her records byte-equal) and gets 403 (40301)
// elsewhere; bob gets 403 on alice's topic and on alice's consumer instance; a SCRAM user works
// with http.authentication.sasl.mechanism=SCRAM-SHA-256; `brook http` as its own process does the
// same against the broker's SASL listener.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Client } from '@brook/client'
import { httpSettingsFrom, startHttpServer, type HttpServer } from '@brook/http'
import { assertSucceeded, makeTestCerts, PLAIN_USERS, runKcat, SCRAM_USERS, startSecureTestBroker, waitFor, type SecureTestBroker, type TestCerts } from '@brook/testkit'
import { assertRestError, scrape } from './harness.js'
import { startHttpProcess } from './http-process.js'

const BINARY = 'application/vnd.kafka.binary.v2+json'
const V2 = 'application/vnd.kafka.v2+json'
const env: { certs?: TestCerts, broker: SecureTestBroker } = { broker: undefined as unknown as SecureTestBroker }
let http: HttpServer
let url: string

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
const ALICE = basic('alice', PLAIN_USERS.alice)
const BOB = basic('bob', PLAIN_USERS.bob)

interface Answer { status: number, headers: Headers, body: unknown }

async function call (method: string, path: string, options: { auth?: string, body?: unknown, contentType?: string, accept?: string, base?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (options.auth !== undefined) headers.authorization = options.auth
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? V2
  if (options.accept !== undefined) headers.accept = options.accept
  const response = await fetch(`${options.base ?? url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: AbortSignal.timeout(60_000) })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text === '' ? null : (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) as unknown : text) }
}

/** The harness's answer shape, for assertRestError. */
const asAnswer = (a: Answer): { status: number, contentType: string, body: unknown } => ({ status: a.status, contentType: a.headers.get('content-type') ?? '', body: a.body })

before(async () => {
  env.certs = await makeTestCerts()
  env.broker = await startSecureTestBroker(env.certs, {
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:ANONYMOUS',
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '1'
  })
  const admin = new Client({ brokers: [env.broker.bootstrapOf('PLAINTEXT')], retry: { retries: 2 } }).admin()
  try {
    await admin.createTopics([{ topic: 'alice-topic', numPartitions: 1 }, { topic: 'secret-topic', numPartitions: 1 }])
    await admin.createAcls([
      ...(['WRITE', 'READ', 'DESCRIBE'] as const).map((operation) => ({ resourceType: 'TOPIC' as const, resourceName: 'alice-topic', principal: 'User:alice', operation, permission: 'ALLOW' as const })),
      { resourceType: 'GROUP', resourceName: 'alice-group', principal: 'User:alice', operation: 'READ', permission: 'ALLOW' },
      { resourceType: 'TOPIC', resourceName: '*', principal: 'User:scram256', operation: 'DESCRIBE', permission: 'ALLOW' }
    ])
  } finally {
    await admin.close()
  }
  const settings = new Map([['http.authentication.method', 'BASIC'], ['http.authentication.realm', 'brook-test']])
  http = await startHttpServer({ broker: env.broker, ...httpSettingsFrom((name) => settings.get(name), 'http://127.0.0.1:0') })
  url = http.addresses[0]?.url ?? ''
})
after(async () => {
  await http?.close()
  await env.broker?.close()
  await env.certs?.cleanup()
})

test('no credentials and a wrong password answer 401 with a Basic challenge', { timeout: 60_000 }, async () => {
  for (const auth of [undefined, basic('alice', 'wrong'), basic('nobody', 'x'), 'Bearer abc', 'Basic !!!']) {
    const answer = await call('GET', '/topics', auth === undefined ? {} : { auth })
    assert.equal(answer.status, 401, `${auth ?? 'no credentials'}: ${JSON.stringify(answer.body)}`)
    assert.equal(answer.headers.get('www-authenticate'), 'Basic realm="brook-test", charset="UTF-8"')
    assert.equal((answer.body as { error_code: number }).error_code, 40101)
  }
})

test('health checks and /metrics need no credentials', { timeout: 60_000 }, async () => {
  assert.equal((await call('GET', '/healthz')).status, 200)
  assert.equal((await call('GET', '/readyz')).status, 200)
  const samples = await scrape(url)
  assert.ok(samples.some((s) => s.name === 'brook_requests_total'), 'the broker\'s series are served')
  assert.ok(samples.some((s) => s.name === 'brook_http_requests_total' && s.labels.status === '401'), 'the 401 answers are counted')
})

test('alice produces where her ACLs allow (kcat reads the bytes back) and gets 403 elsewhere', { timeout: 90_000 }, async () => {
  const values = [Buffer.from([0, 255, 1, 254]), Buffer.from('alice was here')]
  const produced = await call('POST', '/topics/alice-topic', { auth: ALICE, contentType: BINARY, body: { records: values.map((v) => ({ value: v.toString('base64') })) } })
  assert.equal(produced.status, 200, JSON.stringify(produced.body))
  const offsets = (produced.body as { offsets: Array<{ offset: number | null, error_code: number | null }> }).offsets
  assert.deepEqual(offsets.map((o) => o.error_code), [null, null])
  const read = assertSucceeded('kcat -C', await runKcat(['-C', '-b', env.broker.bootstrapOf('PLAINTEXT'), '-t', 'alice-topic', '-o', 'beginning', '-e', '-q', '-f', '%s'], { timeoutMs: 30_000 }))
  assert.deepEqual(read.stdout, Buffer.concat(values))

  assertRestError(asAnswer(await call('POST', '/topics/secret-topic', { auth: ALICE, contentType: BINARY, body: { records: [{ value: 'AA==' }] } })), 403, 40301)
  assertRestError(asAnswer(await call('POST', '/topics/alice-topic', { auth: BOB, contentType: BINARY, body: { records: [{ value: 'AA==' }] } })), 403, 40301)
  // Listings show what each user may describe.
  const aliceTopics = (await call('GET', '/topics', { auth: ALICE })).body as string[]
  assert.ok(aliceTopics.includes('alice-topic'))
  assert.ok(!aliceTopics.includes('secret-topic'), JSON.stringify(aliceTopics))
  assert.deepEqual((await call('GET', '/topics', { auth: BOB })).body, [])
})

test('a consumer instance reads as its user; another user gets 403 on it', { timeout: 120_000 }, async () => {
  const base = '/consumers/alice-group/instances/a1'
  const created = await call('POST', '/consumers/alice-group', { auth: ALICE, body: { name: 'a1', format: 'binary', 'auto.offset.reset': 'earliest' } })
  assert.equal(created.status, 200, JSON.stringify(created.body))
  assert.equal((await call('POST', `${base}/subscription`, { auth: ALICE, body: { topics: ['alice-topic'] } })).status, 204)
  assertRestError(asAnswer(await call('GET', `${base}/records?timeout=500`, { auth: BOB, accept: BINARY })), 403, 40301)
  const got: string[] = []
  await waitFor(async () => {
    const answer = await call('GET', `${base}/records?timeout=2000`, { auth: ALICE, accept: BINARY })
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    for (const r of answer.body as Array<{ value: string }>) got.push(Buffer.from(r.value, 'base64').toString('hex'))
    return got.length >= 2
  }, 60_000, { message: 'alice reads her two records' })
  assert.deepEqual(got, ['00ff01fe', Buffer.from('alice was here').toString('hex')])
  assertRestError(asAnswer(await call('DELETE', base, { auth: BOB })), 403, 40301)
  assert.equal((await call('DELETE', base, { auth: ALICE })).status, 204)

  // A group alice has no READ on: the broker refuses the join, the read answers 403.
  const denied = '/consumers/other-group/instances/a2'
  assert.equal((await call('POST', '/consumers/other-group', { auth: ALICE, body: { name: 'a2', format: 'binary', 'auto.offset.reset': 'earliest' } })).status, 200)
  assert.equal((await call('POST', `${denied}/subscription`, { auth: ALICE, body: { topics: ['alice-topic'] } })).status, 204)
  assertRestError(asAnswer(await call('GET', `${denied}/records?timeout=2000`, { auth: ALICE, accept: BINARY })), 403, 40301)
  assert.equal((await call('DELETE', denied, { auth: ALICE })).status, 204)
})

test('SCRAM users with http.authentication.sasl.mechanism=SCRAM-SHA-256', { timeout: 60_000 }, async () => {
  const settings = new Map([['http.authentication.method', 'BASIC'], ['http.authentication.sasl.mechanism', 'SCRAM-SHA-256']])
  const scram = await startHttpServer({ broker: env.broker, ...httpSettingsFrom((name) => settings.get(name), 'http://127.0.0.1:0') })
  const base = scram.addresses[0]?.url ?? ''
  try {
    const listed = await call('GET', '/topics', { base, auth: basic('scram256', SCRAM_USERS.scram256) })
    assert.equal(listed.status, 200, JSON.stringify(listed.body))
    assert.ok((listed.body as string[]).includes('secret-topic'))
    assert.equal((await call('GET', '/topics', { base, auth: basic('scram256', 'not-it') })).status, 401)
    // alice is a PLAIN user only: no SCRAM credentials.
    assert.equal((await call('GET', '/topics', { base, auth: ALICE })).status, 401)
  } finally {
    await scram.close()
  }
})

test('brook http as its own process: Basic users authenticate to the cluster\'s SASL listener', { timeout: 180_000 }, async () => {
  const clientConfig = join(env.certs?.dir ?? '', 'http-client.properties')
  // The server's own client (health checks) logs in as bob; users bring their own credentials.
  await writeFile(clientConfig, `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.username=bob\nsasl.password=${PLAIN_USERS.bob}\n`)
  const proc = await startHttpProcess('http', ['-b', env.broker.bootstrapOf('SASL_PLAINTEXT'), '--command-config', clientConfig, '--override', 'http.authentication.method=BASIC'], 90_000)
  try {
    assert.equal((await call('GET', '/readyz', { base: proc.url })).status, 200)
    assert.equal((await call('GET', '/topics', { base: proc.url })).status, 401)
    assert.equal((await call('GET', '/topics', { base: proc.url, auth: basic('alice', 'wrong') })).status, 401)
    const produced = await call('POST', '/topics/alice-topic', { base: proc.url, auth: ALICE, contentType: BINARY, body: { records: [{ value: Buffer.from('via brook http').toString('base64') }] } })
    assert.equal(produced.status, 200, JSON.stringify(produced.body))
    assertRestError(asAnswer(await call('POST', '/topics/alice-topic', { base: proc.url, auth: BOB, contentType: BINARY, body: { records: [{ value: 'AA==' }] } })), 403, 40301)
  } finally {
    assert.equal(await proc.stop(), 0, proc.logs())
  }
})

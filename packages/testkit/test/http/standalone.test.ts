// `brook http -b host:port` as its own process against a broker process: REST produce read back
// by kcat byte-equal, kcat's records read through a REST consumer instance byte-equal, /readyz
// following the cluster, /metrics serving the HTTP process's own series (not the broker's);
// `brook console` runs the same server.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertSucceeded, runKcat, startBrokerProcess, waitFor, type BrokerProcess } from '@brook/testkit'
import { call, sample, scrape } from './harness.js'
import { startHttpProcess, type HttpProcess } from './http-process.js'

const BINARY = 'application/vnd.kafka.binary.v2+json'
let broker: BrokerProcess
let http: HttpProcess

before(async () => {
  // Generous start timeouts: process start-up takes tens of seconds on a loaded 2-core box.
  broker = await startBrokerProcess({ overrides: { 'num.partitions': '1', 'offsets.topic.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' }, startTimeoutMs: 90_000 })
  http = await startHttpProcess('http', ['-b', broker.bootstrap], 90_000)
})
after(async () => {
  const code = await http?.stop()
  await broker?.stop()
  if (http !== undefined) assert.equal(code, 0, http.logs())
})

test('REST produce through brook http is read back by kcat byte-equal', { timeout: 120_000 }, async () => {
  const cluster = ((await call(http.url, 'GET', '/v3/clusters')).body as { data: Array<{ cluster_id: string }> }).data[0]?.cluster_id ?? ''
  assert.notEqual(cluster, '')
  const created = await call(http.url, 'POST', `/v3/clusters/${cluster}/topics`, { contentType: 'application/json', body: { topic_name: 'standalone-in', partitions_count: 1 } })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const values = [Buffer.from([0, 1, 2, 255, 254]), Buffer.from('plain text'), Buffer.from([10, 13, 0, 128])]
  const produced = await call(http.url, 'POST', '/topics/standalone-in', { contentType: BINARY, body: { records: values.map((v) => ({ value: v.toString('base64') })) } })
  assert.equal(produced.status, 200, JSON.stringify(produced.body))
  const read = assertSucceeded('kcat -C', await runKcat(['-C', '-b', broker.bootstrap, '-t', 'standalone-in', '-o', 'beginning', '-e', '-q', '-f', '%s'], { timeoutMs: 30_000 }))
  assert.deepEqual(read.stdout, Buffer.concat(values))
})

test('records kcat produced are read through a consumer instance of brook http byte-equal', { timeout: 120_000 }, async () => {
  const lines = ['first', 'second \u00e9', 'third']
  assertSucceeded('kcat -P', await runKcat(['-P', '-b', broker.bootstrap, '-t', 'standalone-out'], { input: lines.join('\n') + '\n', timeoutMs: 30_000 }))
  const base = '/consumers/standalone/instances/reader'
  assert.equal((await call(http.url, 'POST', '/consumers/standalone', { body: { name: 'reader', format: 'binary', 'auto.offset.reset': 'earliest' } })).status, 200)
  assert.equal((await call(http.url, 'POST', `${base}/subscription`, { body: { topics: ['standalone-out'] } })).status, 204)
  const got: string[] = []
  await waitFor(async () => {
    const answer = await call(http.url, 'GET', `${base}/records?timeout=2000`, { accept: BINARY })
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    for (const r of answer.body as Array<{ value: string }>) got.push(Buffer.from(r.value, 'base64').toString('utf8'))
    return got.length >= lines.length
  }, 60_000, { message: 'the three records read' })
  assert.deepEqual(got, lines)
  assert.equal((await call(http.url, 'DELETE', base)).status, 204)
})

test('/metrics of brook http is the HTTP process\'s own; /readyz checks the cluster', { timeout: 60_000 }, async () => {
  const ready = await call(http.url, 'GET', '/readyz')
  assert.equal(ready.status, 200, JSON.stringify(ready.body))
  assert.equal((ready.body as { brokers: number }).brokers, 1)
  const samples = await scrape(http.url)
  assert.ok(sample(samples, 'brook_http_requests_total', { method: 'GET', route: '/readyz', status: '200' }) >= 1)
  assert.ok(samples.some((s) => s.name === 'process_cpu_user_seconds_total'), 'process metrics are served')
  assert.ok(!samples.some((s) => s.name.startsWith('brook_topic_') || s.name === 'brook_requests_total'), 'no broker series in a standalone HTTP process')
})

test('brook console serves the same API; /readyz answers 503 once the cluster is gone', { timeout: 240_000 }, async () => {
  const other = await startBrokerProcess({ startTimeoutMs: 90_000 })
  const consoleProcess = await startHttpProcess('console', ['-b', other.bootstrap], 90_000)
  try {
    assert.equal((await call(consoleProcess.url, 'GET', '/healthz')).status, 200)
    assert.equal((await call(consoleProcess.url, 'GET', '/readyz')).status, 200)
    assert.equal(await other.stop(), 0)
    const down = await waitFor(async () => {
      const answer = await call(consoleProcess.url, 'GET', '/readyz')
      return answer.status === 503 ? answer : undefined
    }, 60_000, { message: '/readyz reports the cluster gone' })
    assert.equal((down.body as { error_code: number }).error_code, 503)
    assert.equal((await call(consoleProcess.url, 'GET', '/healthz')).status, 200)
  } finally {
    await other.stop()
    assert.equal(await consoleProcess.stop(), 0, consoleProcess.logs())
  }
})

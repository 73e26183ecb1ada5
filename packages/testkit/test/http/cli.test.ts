// `brook start` with http.listeners set runs the HTTP API in the broker's process: the log names
// its address, /healthz answers, a REST produce is read back by kcat, /metrics counts it; and
// without http.listeners there is no HTTP server.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { kcatConsumeAll, startBrokerProcess, waitFor } from '@brook/testkit'
import { call, sample, scrape } from './harness.js'

const HTTP_LINE = /HTTP API on (http:\/\/[^\s"]+)/

test('brook start serves the HTTP API on http.listeners', { timeout: 90_000 }, async () => {
  const broker = await startBrokerProcess({ overrides: { 'http.listeners': 'http://127.0.0.1:0', 'num.partitions': '1' } })
  try {
    const url = await waitFor(() => HTTP_LINE.exec(broker.logs())?.[1], 30_000, { message: 'the HTTP API logged its address' })
    assert.equal((await call(url, 'GET', '/healthz')).status, 200)
    const cluster = ((await call(url, 'GET', '/v3/clusters')).body as { data: Array<{ cluster_id: string }> }).data[0]?.cluster_id ?? ''
    assert.equal((await call(url, 'POST', `/v3/clusters/${cluster}/topics`, { contentType: 'application/json', body: { topic_name: 'from-cli' } })).status, 201)
    const produced = await call(url, 'POST', '/topics/from-cli', { contentType: 'application/vnd.kafka.json.v2+json', body: { records: [{ value: { hello: 'cli' } }] } })
    assert.equal(produced.status, 200, JSON.stringify(produced.body))
    const read = await kcatConsumeAll(broker.bootstrap, 'from-cli')
    assert.deepEqual(read.map((m) => m.payload), ['{"hello":"cli"}'])
    assert.equal(sample(await scrape(url), 'brook_topic_messages_in_total', { topic: 'from-cli' }), 1)
  } finally {
    assert.equal(await broker.stop(), 0)
  }
})

test('brook start without http.listeners starts no HTTP server', { timeout: 60_000 }, async () => {
  const broker = await startBrokerProcess()
  // The HTTP API would start before the broker waits for its stop signal, so by the shutdown line
  // its address would have been logged.
  assert.equal(await broker.stop(), 0)
  assert.match(broker.logs(), /shutting down/)
  assert.doesNotMatch(broker.logs(), HTTP_LINE)
})

// GET /openapi.json: an OpenAPI 3 document whose every operation is routed (each is called with
// placeholder parameters and must not answer "no endpoint").
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { call, startHttpBroker, type HttpBroker } from './harness.js'

let h: HttpBroker
before(async () => { h = await startHttpBroker() })
after(async () => { await h.close() })

interface Document { openapi: string, info: { title: string }, paths: Record<string, Record<string, { summary: string, responses: Record<string, unknown> }>> }

test('the OpenAPI document lists routed operations only', { timeout: 120_000 }, async () => {
  const answer = await call(h.url, 'GET', '/openapi.json')
  assert.equal(answer.status, 200)
  const doc = answer.body as Document
  assert.equal(doc.openapi, '3.0.3')
  assert.equal(doc.info.title, 'Brook HTTP API')
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ path, method })))
  assert.ok(operations.length >= 40, `${operations.length} operations`)
  for (const names of [['post', '/topics/{topic}'], ['get', '/v3/clusters/{cluster}/consumer-groups/{group}/lags'], ['post', '/consumers/{group}']]) {
    assert.ok(doc.paths[names[1] as string]?.[names[0] as string] !== undefined, `${names.join(' ')} documented`)
  }
  for (const { path, method } of operations) {
    if (path === '/metrics' || path === '/openapi.json') continue
    const url = path.replace('{cluster}', h.broker.clusterId).replace(/\{[a-z]+\}/g, '0')
    const response = await call(h.url, method.toUpperCase(), url, method === 'get' || method === 'delete' ? {} : { body: {} })
    const message = (response.body as { message?: string } | null)?.message ?? ''
    assert.doesNotMatch(message, /no endpoint/, `${method.toUpperCase()} ${path} is routed`)
  }
})

// The console's endpoints answer bad input with a 4xx in the API's error shape and keep serving:
// bad numbers and modes, a JSON filter without `=`, unknown topics and groups, reset bodies of the
// wrong shape, partition counts that cannot be.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { call, startHttpBroker, type HttpBroker } from '../http/harness.js'

let h: HttpBroker
before(async () => {
  h = await startHttpBroker()
  const cluster = ((await call(h.url, 'GET', '/v3/clusters')).body as { data: Array<{ cluster_id: string }> }).data[0]?.cluster_id ?? ''
  assert.equal((await call(h.url, 'POST', `/v3/clusters/${cluster}/topics`, { contentType: 'application/json', body: { topic_name: 'in', partitions_count: 2 } })).status, 201)
})
after(async () => { await h?.close() })

test('bad console requests answer 4xx in the error shape', { timeout: 60_000 }, async () => {
  const json = { contentType: 'application/json' }
  const cases: Array<[string, string, number, unknown?]> = [
    ['GET', '/console/api/topics/in/messages?limit=0', 400],
    ['GET', '/console/api/topics/in/messages?limit=abc', 400],
    ['GET', '/console/api/topics/in/messages?limit=100000', 400],
    ['GET', '/console/api/topics/in/messages?partition=7', 400],
    ['GET', '/console/api/topics/in/messages?partition=-1', 400],
    ['GET', '/console/api/topics/in/messages?mode=sideways', 400],
    ['GET', '/console/api/topics/in/messages?mode=offset', 400],
    ['GET', '/console/api/topics/in/messages?mode=offset&partition=0&offset=-5', 400],
    ['GET', '/console/api/topics/in/messages?mode=timestamp', 400],
    ['GET', '/console/api/topics/in/messages?json=no-equals-sign', 400],
    ['GET', '/console/api/topics/in/messages?key=k&scan=0', 400],
    ['GET', '/console/api/topics/nope/messages', 404],
    ['GET', '/console/api/topics/nope', 404],
    ['GET', '/console/api/groups/nope', 404],
    ['POST', '/console/api/topics/in/partitions', 422, { count: 'many' }],
    ['POST', '/console/api/topics/in/partitions', 400, { count: 1 }],
    ['POST', '/console/api/topics/in/partitions', 422, {}],
    ['POST', '/console/api/groups/g/reset', 422, {}],
    ['POST', '/console/api/groups/g/reset', 422, { topic: 'in', to: 'yesterday' }],
    ['POST', '/console/api/groups/g/reset', 422, { topic: 'in', to: 'offset' }],
    ['POST', '/console/api/groups/g/reset', 422, { topic: 'in', to: 'earliest', partitions: [9] }],
    ['POST', '/console/api/groups/g/reset', 422, { topic: 'in', to: 'earliest', dryRun: 'yes' }],
    ['POST', '/console/api/groups/g/reset', 404, { topic: 'nope', to: 'earliest' }]
  ]
  for (const [method, path, status, body] of cases) {
    const answer = await call(h.url, method, path, body === undefined ? {} : { ...json, body })
    assert.equal(answer.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`)
    const error = answer.body as { error_code: number, message: string }
    assert.equal(typeof error.error_code, 'number', path)
    assert.ok(error.message.length > 0, path)
  }
  // Still serving, and the good requests answer.
  const ok = await call(h.url, 'GET', '/console/api/topics/in/messages?partition=1&mode=offset&offset=0')
  assert.equal(ok.status, 200, JSON.stringify(ok.body))
  assert.deepEqual((ok.body as { records: unknown[] }).records, [])
})

// brook topic consume's start offsets (absolute, from the end, from the beginning, timestamp as
// milliseconds and ISO-8601), one partition, -n, and JSON lines.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startTestBroker, type TestBroker } from '@brook/testkit'
import { brookOk } from './brook.js'

let broker: TestBroker
let b: string[]

before(async () => {
  broker = await startTestBroker({ 'num.partitions': '1' })
  b = ['-b', broker.bootstrap]
})
after(async () => { await broker.close() })

test('consume: start offsets (absolute, from the end, from the beginning, timestamp), one partition, -n, JSON lines', { timeout: 120_000 }, async () => {
  await brookOk(['topic', 'create', 'offsets', '-p', '2', ...b])
  const first = Array.from({ length: 10 }, (_, i) => `a${i}`).join('\n') + '\n'
  await brookOk(['topic', 'produce', 'offsets', '-p', '0', ...b], { input: first })
  const t = Date.now() + 1
  // Records of the second send carry later timestamps than `t`.
  while (Date.now() <= t + 1) await new Promise((resolve) => setTimeout(resolve, 2))
  const second = Array.from({ length: 5 }, (_, i) => `b${i}`).join('\n') + '\n'
  await brookOk(['topic', 'produce', 'offsets', '-p', '0', ...b], { input: second })

  const lines = async (args: string[]): Promise<string[]> => (await brookOk(['topic', 'consume', 'offsets', ...args, ...b])).out.split('\n').filter((l) => l !== '')
  assert.deepEqual(await lines(['-p', '0', '-o', '12', '-e']), ['b2', 'b3', 'b4'])
  assert.deepEqual(await lines(['-p', '0', '-o', '-2', '-e']), ['b3', 'b4'])
  assert.deepEqual(await lines(['-p', '0', '-o', '+13', '-e']), ['b3', 'b4'])
  assert.deepEqual(await lines(['-o', `@${t}`, '-e']), ['b0', 'b1', 'b2', 'b3', 'b4'])
  assert.deepEqual(await lines(['-o', `@${new Date(t).toISOString()}`, '-e', '-f', '%p:%o:%s\\n']), ['0:10:b0', '0:11:b1', '0:12:b2', '0:13:b3', '0:14:b4'])
  assert.deepEqual(await lines(['-n', '3', '--from-beginning']), ['a0', 'a1', 'a2'])
  assert.deepEqual(await lines(['-p', '1', '-e']), [])
  const json = (await lines(['-p', '0', '-o', '9', '-n', '2', '-f', 'json'])).map((l) => JSON.parse(l) as { topic: string, partition: number, offset: number, key: null, value: string, headers: unknown[] })
  assert.deepEqual(json.map((m) => [m.topic, m.partition, m.offset, m.key, m.value, m.headers]), [['offsets', 0, 9, null, 'a9', []], ['offsets', 0, 10, null, 'b0', []]])
})

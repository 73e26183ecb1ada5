// A wide topic (1,000 partitions here; bench/console-bench.mjs times 10,000): the topic page
// shows its partitions a page of 100 at a time, and the topic list, the overview and the newest
// messages all load. Load times are printed as diagnostics, never asserted (the 1 s for
// 10,000 partitions is measured by the bench script).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Client } from '@brook/client'
import { startConsole, type ConsoleUnderTest } from './harness.js'

const PARTITIONS = 1_000

let c: ConsoleUnderTest
before(async () => {
  c = await startConsole()
  // Creating thousands of partition logs takes a while on a loaded box: a patient client.
  const client = new Client({ brokers: [c.broker.bootstrap], requestTimeoutMs: 100_000 })
  const admin = client.admin()
  const producer = client.producer()
  try {
    await admin.createTopics([{ topic: 'wide', numPartitions: PARTITIONS }])
    await producer.send({ topic: 'wide', messages: [{ partition: PARTITIONS - 1, value: Buffer.from('{"last":true}') }] })
  } finally {
    await producer.close()
    await admin.close()
  }
})
after(async () => { await c?.close() })

async function load (hash: string, ready: string): Promise<number> {
  await c.page.goto('about:blank')
  const start = performance.now()
  await c.page.goto(`/${hash}`)
  await c.page.locator(ready).first().waitFor({ timeout: 60_000 })
  return performance.now() - start
}

test(`pages with a topic of ${PARTITIONS.toLocaleString('en-US')} partitions`, { timeout: 240_000 }, async (t) => {
  const topicPage = await load('#/topics/wide', `#topic-summary:has-text("${PARTITIONS.toLocaleString('en-US')} partitions")`)
  assert.equal(await c.page.locator('#partitions tbody tr').count(), 100, 'the partition table shows one page of 100')
  await c.page.getByRole('button', { name: 'Next ›' }).click()
  assert.equal(await c.page.locator('#partitions tbody tr').first().locator('td').first().innerText(), '100')
  await c.shot('wide-topic')
  const topics = await load('#/topics', '#topics tr[data-topic="wide"]')
  assert.match(await c.page.locator('#topics tr[data-topic="wide"]').innerText(), new RegExp(PARTITIONS.toLocaleString('en-US')))
  const overview = await load('#/', `[data-card="Partitions"] .value:has-text("${PARTITIONS.toLocaleString('en-US')}")`)
  const messages = await load('#/topics/wide?tab=messages', '#messages tr.record')
  assert.equal(await c.page.locator('#messages tr.record').first().getAttribute('data-partition'), String(PARTITIONS - 1))
  t.diagnostic(`load times (ms): topic page ${topicPage.toFixed(0)}, topic list ${topics.toFixed(0)}, overview ${overview.toFixed(0)}, newest messages ${messages.toFixed(0)}`)
})

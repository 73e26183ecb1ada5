// The web console's topic pages end to end in a real browser (Debian's chromium through
// playwright-core): create a topic with a config, produce a record from the form and find it by
// key, by a JSON field and not by absent text in the message browser, hex view, configs; the
// transactions page lists a kafkajs transactional producer; the delivery page lists delayed and
// scheduling topics. Every page is screenshotted, in light and dark. (Groups: groups.test.ts.)
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { call } from '../http/harness.js'
import { startConsole, type ConsoleUnderTest } from './harness.js'

const { Kafka, logLevel } = kafkajs

let c: ConsoleUnderTest
let cluster = ''

before(async () => {
  c = await startConsole()
  cluster = ((await call(c.url, 'GET', '/v3/clusters')).body as { data: Array<{ cluster_id: string }> }).data[0]?.cluster_id ?? ''
})

after(async () => { await c?.close() })

test('creates a topic, produces from the form and finds the record by key', { timeout: 180_000 }, async () => {
  const { page } = c
  await page.goto('/#/')
  await page.locator('[data-card="Brokers"] .value').filter({ hasText: '1' }).waitFor()
  await c.shot('overview')

  await page.goto('/#/topics')
  await page.getByRole('button', { name: 'Create topic' }).click()
  const form = page.locator('#create-topic')
  await form.locator('input[name="topic_name"]').fill('console-orders')
  await form.locator('input[name="partitions"]').fill('3')
  await form.locator('textarea[name="configs"]').fill('retention.ms=3600000\ncleanup.policy=delete')
  await c.shot('topics-create')
  await form.getByRole('button', { name: 'Create' }).click()
  await page.waitForURL(/#\/topics\/console-orders/)
  await page.locator('#partitions tbody tr').nth(2).waitFor()
  assert.equal(await page.locator('#partitions tbody tr').count(), 3)
  await c.shot('topic-partitions')

  // The topic exists with its config, as the v3 API tells.
  const described = await call(c.url, 'GET', `/v3/clusters/${cluster}/topics/console-orders/configs/retention.ms`)
  assert.equal(described.status, 200)
  assert.equal((described.body as { value: string }).value, '3600000')

  await page.goto('/#/topics')
  await page.locator('#topics tr[data-topic="console-orders"]').waitFor()
  await c.shot('topics')

  // Produce two records from the form; only one has the key searched for.
  await page.goto('/#/topics/console-orders?tab=produce')
  const produce = page.locator('#produce')
  await produce.locator('input[name="key"]').fill('other-key')
  await produce.locator('textarea[name="value"]').fill('{"n": 0}')
  await produce.getByRole('button', { name: 'Produce' }).click()
  await page.locator('#produce-result').waitFor()
  await produce.locator('input[name="key"]').fill('customer-42')
  await produce.locator('textarea[name="value"]').fill('{"order": 7, "items": ["tea"]}')
  await produce.locator('textarea[name="headers"]').fill('source=console-test')
  await produce.getByRole('button', { name: 'Produce' }).click()
  await page.locator('#produce-result').filter({ hasText: /Produced to partition \d+ at offset \d+/ }).waitFor()
  await c.shot('topic-produce')

  await page.goto('/#/topics/console-orders?tab=messages')
  const browse = page.locator('#browse')
  await browse.locator('input[name="key"]').fill('customer-42')
  await browse.getByRole('button', { name: 'Show' }).click()
  await page.locator('#browse-summary').filter({ hasText: /^1 record\(s\) matched/ }).waitFor()
  const rows = page.locator('#messages tr.record')
  assert.equal(await rows.count(), 1)
  assert.match(await rows.first().locator('td.key').innerText(), /customer-42/)
  assert.match(await rows.first().locator('td.value').innerText(), /"order":7/)
  await rows.first().click()
  const detail = page.locator('#messages tr.detail')
  assert.match(await detail.innerText(), /source/)
  assert.match(await detail.innerText(), /console-test/)
  await c.shot('topic-messages')

  // Hex view of the same record: the value's bytes, `{"order"` starts 7b 22 6f.
  await browse.locator('select[name="view"]').selectOption('hex')
  assert.match(await detail.innerText(), /7b 22 6f 72/)

  // A JSON-field search finds the same record; a text search for something absent finds none.
  await browse.locator('input[name="key"]').fill('')
  await browse.locator('input[name="json"]').fill('order=7')
  await browse.getByRole('button', { name: 'Show' }).click()
  await page.locator('#browse-summary').filter({ hasText: /^1 record\(s\) matched/ }).waitFor()
  await browse.locator('input[name="json"]').fill('')
  await browse.locator('input[name="text"]').fill('no such text')
  await browse.getByRole('button', { name: 'Show' }).click()
  await page.locator('#browse-summary').filter({ hasText: /^0 record\(s\) matched/ }).waitFor()

  await page.goto('/#/topics/console-orders?tab=configs')
  await page.locator('#configs tr[data-config="retention.ms"]').filter({ hasText: '3600000' }).waitFor()
  await c.shot('topic-configs')
  await page.goto('/#/topics/console-orders?tab=settings')
  await c.shot('topic-settings')

  await page.emulateMedia({ colorScheme: 'dark' })
  await page.goto('/#/')
  await page.locator('[data-card="Topics"] .value').filter({ hasText: '1' }).waitFor()
  await c.shot('overview-dark')
  await page.emulateMedia({ colorScheme: 'light' })
})

test('the transactions page lists a kafkajs transactional producer', { timeout: 120_000 }, async () => {
  const { page } = c
  const kafka = new Kafka({ clientId: 'console-txn', brokers: [c.broker.bootstrap], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ transactionalId: 'console-txn-1', idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  try {
    const txn = await producer.transaction()
    await txn.send({ topic: 'console-orders', messages: [{ key: 'in-txn', value: 'x' }] })
    await txn.commit()
    await page.goto('/#/transactions')
    await page.locator('td', { hasText: 'console-txn-1' }).waitFor()
    await c.shot('transactions')
  } finally {
    await producer.disconnect()
  }
})

test('the delivery page lists a delayed topic and a scheduling one', { timeout: 60_000 }, async () => {
  const { page } = c
  for (const [name, config] of [['console-delayed', { name: 'delivery.delay.ms', value: '60000' }], ['console-scheduled', { name: 'delivery.schedule.enable', value: 'true' }]] as const) {
    const created = await call(c.url, 'POST', `/v3/clusters/${cluster}/topics`, { contentType: 'application/json', body: { topic_name: name, configs: [config] } })
    assert.equal(created.status, 201, JSON.stringify(created.body))
  }
  await page.goto('/#/delivery')
  await page.locator('#delivery tr[data-topic="console-delayed"]').filter({ hasText: '60,000 ms' }).waitFor()
  assert.match(await page.locator('#delivery tr[data-topic="console-scheduled"]').innerText(), /enabled/)
  assert.equal(await page.locator('#delivery tr[data-topic="console-orders"]').count(), 0, 'an ordinary topic is not listed')
  await c.shot('delivery')
})

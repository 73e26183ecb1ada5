// The web console end to end in a real browser (Debian's chromium through playwright-core):
// create a topic with a config, produce a record from the form and find it by key in the
// message browser; a kafkajs consumer group whose lag the group page shows falling to 0; its
// offsets reset to the earliest, dry run first (nothing changes) then applied. Every page is
// screenshotted, in light and dark.
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

test('a kafkajs group: lag seen, lag falls to 0, offsets reset with a dry run first', { timeout: 240_000 }, async () => {
  const { page } = c
  const kafka = new Kafka({ clientId: 'console-test', brokers: [c.broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer()
  await admin.connect()
  await producer.connect()
  try {
    await admin.createTopics({ topics: [{ topic: 'console-lag', numPartitions: 2 }], waitForLeaders: true })
    await producer.send({ topic: 'console-lag', messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) })

    // A first consumer reads 5 records, commits them and leaves: the group lags.
    const consumeAndLeave = async (count: number): Promise<void> => {
      const consumer = kafka.consumer({ groupId: 'console-group', maxWaitTimeInMs: 500 })
      await consumer.connect()
      await consumer.subscribe({ topic: 'console-lag', fromBeginning: true })
      let seen = 0
      let done: () => void = () => {}
      const finished = new Promise<void>((resolve) => { done = resolve })
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          if (seen >= count) return
          seen++
          await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }])
          if (seen === count) done()
        }
      })
      await finished
      await consumer.disconnect()
    }
    await consumeAndLeave(5)
    // Lag as kafka-consumer-groups counts it: over the partitions with a commit (the 5 records
    // may all come from one partition, the other then has no commit and no lag yet).
    const ends = await admin.fetchTopicOffsets('console-lag')
    const first = await admin.fetchOffsets({ groupId: 'console-group', topics: ['console-lag'] })
    const expected = (first[0]?.partitions ?? []).filter((p) => Number(p.offset) >= 0)
      .reduce((n, p) => n + Number(ends.find((e) => e.partition === p.partition)?.offset ?? 0) - Number(p.offset), 0)
    assert.ok(expected > 0, `the group lags after its first consumer (${expected})`)
    await page.goto('/#/groups')
    await page.locator('#groups tr[data-group="console-group"]').waitFor()
    await c.shot('groups')
    await page.locator('#groups tr[data-group="console-group"] a').click()
    await page.locator('#group-lag').filter({ hasText: new RegExp(`^${expected}$`) }).waitFor()

    // A running consumer reads the rest: the page shows the lag falling to 0 while it runs.
    const consumer = kafka.consumer({ groupId: 'console-group', maxWaitTimeInMs: 500 })
    await consumer.connect()
    await consumer.subscribe({ topic: 'console-lag', fromBeginning: true })
    await consumer.run({ autoCommitInterval: 100, eachMessage: async () => {} })
    try {
      await page.locator('#group-lag').filter({ hasText: /^0$/ }).waitFor({ timeout: 120_000 })
      await page.locator('#members tbody tr').first().waitFor()
      await c.shot('group-consumed')
    } finally {
      await consumer.disconnect()
    }
    await page.locator('#group-state').filter({ hasText: 'Empty' }).waitFor({ timeout: 60_000 })

    // Reset to the earliest: the dry run plans 0 for both partitions and changes nothing.
    const reset = page.locator('#reset')
    await reset.locator('input[name="topic"]').fill('console-lag')
    await reset.locator('select[name="to"]').selectOption('earliest')
    assert.equal(await reset.locator('button[name="apply"]').isDisabled(), true, 'apply is offered only after a dry run')
    await reset.locator('button[name="dry-run"]').click()
    await page.locator('#reset-status').filter({ hasText: 'Dry run' }).waitFor()
    const planned = await page.locator('#reset-plan tbody tr').allInnerTexts()
    assert.equal(planned.length, 2)
    for (const row of planned) assert.match(row, /console-lag\s+\d\s+\d+\s+0\s+\d+/)
    const unchanged = await admin.fetchOffsets({ groupId: 'console-group', topics: ['console-lag'] })
    assert.equal(unchanged[0]?.partitions.reduce((n, p) => n + Number(p.offset), 0), 20, 'the dry run committed nothing')
    await c.shot('group-reset-dry-run')

    await reset.locator('button[name="apply"]').click()
    await page.locator('#reset-status').filter({ hasText: 'Applied' }).waitFor()
    const committed = await admin.fetchOffsets({ groupId: 'console-group', topics: ['console-lag'] })
    assert.deepEqual(committed[0]?.partitions.map((p) => p.offset).sort(), ['0', '0'])
    await page.locator('#group-lag').filter({ hasText: /^20$/ }).waitFor()
    await c.shot('group-reset-applied')
  } finally {
    await producer.disconnect()
    await admin.disconnect()
  }
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

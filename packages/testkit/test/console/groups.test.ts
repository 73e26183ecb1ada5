// The web console's group pages in a real browser (Debian's chromium through playwright-core): a
// kafkajs consumer group whose lag the group page shows, then shows falling to 0 while a consumer
// runs; its offsets reset to the earliest, dry run first (nothing changes) then applied.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { startConsole, type ConsoleUnderTest } from './harness.js'

const { Kafka, logLevel } = kafkajs

let c: ConsoleUnderTest

before(async () => { c = await startConsole() })

after(async () => { await c?.close() })

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

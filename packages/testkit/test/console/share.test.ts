// A share group in the console: librdkafka 2.15 share consumers (KIP-932) drain a queue, the
// group page shows the member, its assignment and a lag of 0; with the consumer stopped, the
// start offset is reset to the earliest, dry run first (nothing changes), then applied (lag 10).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Client } from '@brook/client'
import { startShareConsumer } from '@brook/testkit'
import { prepareQueue, SHARE_BROKER_CONFIG, until } from '../share/helpers.js'
import { startConsole, type ConsoleUnderTest } from './harness.js'

let c: ConsoleUnderTest
before(async () => { c = await startConsole(SHARE_BROKER_CONFIG) })
after(async () => { await c?.close() })

test('a share group: members, lag to 0, start offset reset with a dry run first', { timeout: 240_000 }, async () => {
  const { page } = c
  await prepareQueue(c.broker.bootstrap, 'console-queue', 'console-share', 10)
  const consumer = await startShareConsumer({ bootstrap: c.broker.bootstrap, group: 'console-share', topic: 'console-queue' })
  try {
    await until('the queue consumed', () => consumer.confirmedAccepted().size === 10, 90_000)
    await page.goto('/#/groups')
    await page.locator('#groups tr[data-group="console-share"]').filter({ hasText: 'share' }).waitFor({ timeout: 60_000 })
    await page.locator('#groups tr[data-group="console-share"] a').click()
    await page.waitForURL(/type=share/)
    await page.locator('#members tbody tr').filter({ hasText: 'console-queue: 0' }).waitFor({ timeout: 60_000 })
    await page.locator('#group-lag').filter({ hasText: /^0$/ }).waitFor({ timeout: 60_000 })
    await c.shot('share-group')
  } finally {
    assert.equal(await consumer.stop(), 0, consumer.stderr())
  }
  await page.locator('#members').waitFor({ state: 'detached', timeout: 90_000 })

  const reset = page.locator('#reset')
  await reset.locator('input[name="topic"]').fill('console-queue')
  await reset.locator('select[name="to"]').selectOption('earliest')
  await reset.locator('button[name="dry-run"]').click()
  await page.locator('#reset-status').filter({ hasText: 'Dry run' }).waitFor()
  assert.match(await page.locator('#reset-plan tbody tr').innerText(), /console-queue\s+0\s+10\s+0\s+10/)
  const admin = new Client({ brokers: [c.broker.bootstrap] }).admin()
  try {
    assert.deepEqual((await admin.describeShareGroupOffsets('console-share')).map((o) => o.startOffset), [10n], 'the dry run changed nothing')
    await reset.locator('button[name="apply"]').click()
    await page.locator('#reset-status').filter({ hasText: 'Applied' }).waitFor()
    assert.deepEqual((await admin.describeShareGroupOffsets('console-share')).map((o) => o.startOffset), [0n])
  } finally {
    await admin.close()
  }
  await page.locator('#group-lag').filter({ hasText: /^10$/ }).waitFor()
  await c.shot('share-group-reset')
})

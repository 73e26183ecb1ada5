// `brook console -b host:port` as its own process against a broker process: chromium loads the
// console from it, sees a topic made with kcat and finds kcat's record by key; then the process
// stops cleanly.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { assertSucceeded, runKcat, startBrokerProcess } from '@brook/testkit'
import { startHttpProcess } from '../http/http-process.js'
import { launchChromium } from './harness.js'

test('brook console -b serves the console for a broker it does not run in', { timeout: 120_000 }, async () => {
  const broker = await startBrokerProcess({ overrides: { 'num.partitions': '2' } })
  try {
    assertSucceeded('kcat produce', await runKcat(['-b', broker.bootstrap, '-P', '-t', 'from-kcat', '-K', ':'], { input: 'kcat-key:{"via":"kcat"}\n', timeoutMs: 30_000 }))
    const consoleProcess = await startHttpProcess('console', ['-b', broker.bootstrap])
    const browser = await launchChromium()
    try {
      const page = await browser.newPage({ baseURL: consoleProcess.url })
      page.setDefaultTimeout(30_000)
      await page.goto('/#/topics')
      await page.locator('#topics tr[data-topic="from-kcat"]').waitFor()
      await page.goto('/#/topics/from-kcat?tab=messages')
      await page.locator('#browse input[name="key"]').fill('kcat-key')
      await page.locator('#browse').getByRole('button', { name: 'Show' }).click()
      await page.locator('#browse-summary').filter({ hasText: /^1 record\(s\) matched/ }).waitFor()
      assert.match(await page.locator('#messages tr.record td.value').innerText(), /"via":"kcat"/)
    } finally {
      await browser.close()
      assert.equal(await consoleProcess.stop(), 0, consoleProcess.logs())
    }
  } finally {
    assert.equal(await broker.stop(), 0)
  }
})

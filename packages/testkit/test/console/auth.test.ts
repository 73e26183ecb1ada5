// The console with HTTP Basic authentication on, against a SASL broker with Kafka's
// StandardAuthorizer: the console's page itself answers 401 with a Basic challenge (what makes
// the browser prompt), and with alice's credentials the browser sees only what her ACLs allow:
// her topic and not the secret one, in the list, the overview and the message browser, and she
// produces to her topic from the form.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser } from 'playwright-core'
import { Client } from '@brook/client'
import { httpSettingsFrom, startHttpServer, type HttpServer } from '@brook/http'
import { makeTestCerts, PLAIN_USERS, startSecureTestBroker, type SecureTestBroker, type TestCerts } from '@brook/testkit'
import { launchChromium } from './harness.js'

let certs: TestCerts | undefined
let broker: SecureTestBroker | undefined
let http: HttpServer | undefined
let browser: Browser | undefined
let url = ''

before(async () => {
  certs = await makeTestCerts()
  broker = await startSecureTestBroker(certs, {
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:ANONYMOUS',
    'offsets.topic.num.partitions': '1'
  })
  const admin = new Client({ brokers: [broker.bootstrapOf('PLAINTEXT')], retry: { retries: 2 } }).admin()
  try {
    await admin.createTopics([{ topic: 'alice-topic', numPartitions: 1 }, { topic: 'secret-topic', numPartitions: 1 }])
    await admin.createAcls((['WRITE', 'READ', 'DESCRIBE'] as const).map((operation) => ({ resourceType: 'TOPIC' as const, resourceName: 'alice-topic', principal: 'User:alice', operation, permission: 'ALLOW' as const })))
  } finally {
    await admin.close()
  }
  const settings = new Map([['http.authentication.method', 'BASIC'], ['http.authentication.realm', 'brook-console']])
  http = await startHttpServer({ broker, ...httpSettingsFrom((name) => settings.get(name), 'http://127.0.0.1:0') })
  url = http.addresses[0]?.url ?? ''
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await http?.close()
  await broker?.close()
  await certs?.cleanup()
})

test('without credentials the console answers a Basic challenge', { timeout: 60_000 }, async () => {
  const context = await browser!.newContext({ baseURL: url })
  try {
    // The context's own HTTP client: a page navigation would wait on the prompt a headless
    // browser cannot answer.
    for (const path of ['/', '/app.js', '/console/api/topics']) {
      const response = await context.request.get(path)
      assert.equal(response.status(), 401, path)
      assert.equal(response.headers()['www-authenticate'], 'Basic realm="brook-console", charset="UTF-8"', path)
    }
  } finally {
    await context.close()
  }
})

test('alice sees and uses only what her ACLs allow', { timeout: 120_000 }, async () => {
  const context = await browser!.newContext({ baseURL: url, httpCredentials: { username: 'alice', password: PLAIN_USERS.alice } })
  try {
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    await page.goto('/#/topics')
    await page.locator('#topics tr[data-topic="alice-topic"]').waitFor()
    assert.equal(await page.locator('#topics tr[data-topic="secret-topic"]').count(), 0)

    await page.goto('/#/')
    await page.locator('[data-card="Topics"] .value').filter({ hasText: /^1$/ }).waitFor()

    await page.goto('/#/topics/alice-topic?tab=produce')
    await page.locator('#produce input[name="key"]').fill('from-alice')
    await page.locator('#produce textarea[name="value"]').fill('{"hello":"alice"}')
    await page.locator('#produce').getByRole('button', { name: 'Produce' }).click()
    await page.locator('#produce-result').waitFor()

    await page.goto('/#/topics/alice-topic?tab=messages')
    await page.locator('#messages tr.record td.key', { hasText: 'from-alice' }).waitFor()

    // The secret topic is not there for her: its page says so instead of showing it.
    await page.goto('/#/topics/secret-topic?tab=messages')
    await page.locator('p.error').first().waitFor()
    assert.equal(await page.locator('#messages').count(), 0)
    const answer = await page.request.get('/console/api/topics/secret-topic/messages')
    assert.ok(answer.status() === 403 || answer.status() === 404, `secret-topic answered ${answer.status()}`)
  } finally {
    await context.close()
  }
})

// Connection creation rates (KIP-612): max.connection.creation.rate (broker-wide) and
// listener.name.<l>.max.connection.creation.rate make new connections over the rate wait before
// they are served (every one is answered, spread at the rate); the connection_creation_rate quota
// of an IP, set through AlterClientQuotas, closes the connections over it after the throttle time
// while the ones within it are served, and a real client (kcat) gets in once the rate allows.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin } from '@platformatic/kafka'
import { apiVersionsV0Request, ensurePromiseWithResolvers, RawConnection, recordingLogger, runKcat, startTestBroker, waitFor, type TestBroker } from '@brook/testkit'

ensurePromiseWithResolvers()

interface Outcome { result: 'answered' | 'closed', ms: number }

/** Opens `n` connections at once, asks each for ApiVersions, and times each outcome. */
async function burst (broker: TestBroker, n: number): Promise<Outcome[]> {
  const started = Date.now()
  const conns = await Promise.all(Array.from({ length: n }, async () => await RawConnection.connect('127.0.0.1', broker.port)))
  try {
    return await Promise.all(conns.map(async (c, i) => {
      c.write(apiVersionsV0Request(i + 1))
      const result = await c.answeredOrClosed(20_000)
      return { result, ms: Date.now() - started }
    }))
  } finally {
    for (const c of conns) c.destroy()
  }
}

for (const setting of ['max.connection.creation.rate', 'listener.name.PLAINTEXT.max.connection.creation.rate']) {
  test(`${setting}: connections over the rate wait, and every one is served`, { timeout: 60_000 }, async () => {
    const broker = await startTestBroker({ [setting]: '2' })
    try {
      // A rate of 2/s holds a burst of 2: the other 4 of 6 wait 0.5, 1, 1.5 and 2 s.
      const outcomes = await burst(broker, 6)
      assert.deepEqual(outcomes.map((o) => o.result), Array(6).fill('answered'))
      const times = outcomes.map((o) => o.ms).sort((a, b) => a - b)
      assert.ok((times[5] as number) >= 1500, `the last connection was served after ${times[5]} ms, want >= 1500 (times ${times.join(', ')})`)
      assert.ok((times[5] as number) - (times[0] as number) >= 1000, `connections spread over time: ${times.join(', ')}`)
      // Clients that reset while they wait do not harm the broker; the next one is served.
      const waiting = await Promise.all(Array.from({ length: 4 }, async () => await RawConnection.connect('127.0.0.1', broker.port)))
      for (const c of waiting) {
        c.write(apiVersionsV0Request(1))
        c.socket.resetAndDestroy()
      }
      const after = await burst(broker, 1)
      assert.deepEqual(after.map((o) => o.result), ['answered'])
    } finally {
      await broker.close()
    }
  })
}

test('connection_creation_rate of an IP: connections over it are closed after the throttle time, a client gets in later', { timeout: 60_000 }, async () => {
  const logger = recordingLogger()
  const broker = await startTestBroker({}, { logger })
  const admin = new Admin({ clientId: 'brook-quota-setup', bootstrapBrokers: [broker.bootstrap], retries: 2, retryDelay: 200 })
  try {
    const altered = await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'ip', entityName: '127.0.0.1' }], ops: [{ key: 'connection_creation_rate', value: 1, remove: false }] }] })
    assert.deepEqual(altered.map((e) => e.errorCode), [0])
    const described = await admin.describeClientQuotas({ components: [{ entityType: 'ip', matchType: 0, match: '127.0.0.1' }], strict: true })
    assert.deepEqual(described.map((e) => e.values.map((v) => [v.key, v.value])), [[['connection_creation_rate', 1]]])

    const outcomes = await burst(broker, 6)
    const answered = outcomes.filter((o) => o.result === 'answered')
    const closed = outcomes.filter((o) => o.result === 'closed')
    assert.ok(answered.length >= 1 && answered.length <= 3, `served within the rate: ${JSON.stringify(outcomes)}`)
    assert.ok(closed.length >= 3, `closed over the rate: ${JSON.stringify(outcomes)}`)
    // Closed after the throttle time, not at once (Kafka's behaviour: the client is held off).
    assert.ok(closed.every((o) => o.ms >= 200), `closed after a delay: ${JSON.stringify(closed)}`)
    assert.ok(logger.lines.some((l) => l.includes('connection_creation_rate')), 'the throttled connections are logged')

    // The connection that was in before is not affected; a real client gets in once the rate allows.
    assert.deepEqual((await admin.listTopics()).filter((t) => !t.startsWith('__')), [])
    let listed = ''
    await waitFor(async () => {
      const run = await runKcat(['-b', broker.bootstrap, '-L', '-m', '10'], { timeoutMs: 15_000 })
      if (run.code === 0) listed = run.stdout.toString('utf8')
      return run.code === 0
    }, 30_000, { message: 'kcat connecting within the rate' })
    assert.match(listed, /1 brokers:/)
  } finally {
    await admin.close()
    await broker.close()
  }
})

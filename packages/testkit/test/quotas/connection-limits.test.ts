// Connection limits: with max.connections.per.ip reached, a new connection from that address is
// closed at once (and logged) while the open ones keep being answered; once one closes, a real
// client (kcat) gets in again. max.connections.per.ip.overrides raises the limit for one address.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { apiVersionsV0Request, assertSucceeded, RawConnection, recordingLogger, runKcat, startTestBroker, waitFor, type TestBroker } from '@brook/testkit'

async function connect (broker: TestBroker): Promise<RawConnection> {
  return await RawConnection.connect('127.0.0.1', broker.port)
}

async function answers (conn: RawConnection, correlationId: number): Promise<'answered' | 'closed'> {
  conn.write(apiVersionsV0Request(correlationId))
  return await conn.answeredOrClosed(10_000)
}

test('max.connections.per.ip: a connection over the limit is closed, open ones keep working', { timeout: 60_000 }, async () => {
  const logger = recordingLogger()
  const broker = await startTestBroker({ 'max.connections.per.ip': '2' }, { logger })
  const open: RawConnection[] = []
  try {
    open.push(await connect(broker), await connect(broker))
    assert.equal(await answers(open[0] as RawConnection, 1), 'answered')
    assert.equal(await answers(open[1] as RawConnection, 1), 'answered')

    const refused = await connect(broker)
    open.push(refused)
    assert.equal(await answers(refused, 1), 'closed')
    assert.ok(logger.lines.some((l) => l.includes('connection refused') && l.includes('too many connections from 127.0.0.1 (max 2)')), 'the refusal is logged')

    // The connections that were in keep working.
    assert.equal(await answers(open[0] as RawConnection, 2), 'answered')
    assert.equal(await answers(open[1] as RawConnection, 2), 'answered')

    // One closes: the broker counts it out, and a real client gets in.
    ;(open[1] as RawConnection).destroy()
    await waitFor(async () => {
      const probe = await connect(broker)
      try {
        return await answers(probe, 1) === 'answered'
      } finally {
        probe.destroy()
      }
    }, 20_000, { message: 'a connection slot freed' })
    assertSucceeded('kcat -L', await runKcat(['-b', broker.bootstrap, '-L', '-m', '10'], { timeoutMs: 30_000 }))
  } finally {
    for (const c of open) c.destroy()
    await broker.close()
  }
})

test('max.connections.per.ip.overrides raises the limit for one address', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker({ 'max.connections.per.ip': '1', 'max.connections.per.ip.overrides': '10.1.1.1:5,127.0.0.1:3' })
  const open: RawConnection[] = []
  try {
    for (let i = 0; i < 3; i++) {
      const c = await connect(broker)
      open.push(c)
      assert.equal(await answers(c, 1), 'answered', `connection ${i + 1} of 3`)
    }
    const fourth = await connect(broker)
    open.push(fourth)
    assert.equal(await answers(fourth, 1), 'closed')
  } finally {
    for (const c of open) c.destroy()
    await broker.close()
  }
})

// confluent-kafka-python (librdkafka) idempotent producer against a broker that is killed (SIGKILL)
// and restarted twice while 200,000 messages are in flight: every message must land exactly once
// and, per partition, in the order it was sent. Retries of batches the dead broker had already
// written must be recognised as duplicates from the producer state the restarted broker rebuilt
// (snapshot + log tail), and no batch may be refused as out of order.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runPython, sleep, spawnPython, startBrokerChild } from './processes.js'

const COUNT = 200_000
const CONFIG = { 'num.partitions': '4', 'log.segment.bytes': '1048576' }

test('idempotent producer: 200,000 messages across two broker kills, each exactly once and in order per partition', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-idem-'))
  let broker = await startBrokerChild(dir, 0, CONFIG)
  const port = broker.port
  const producer = spawnPython('idempotent_producer.py', [broker.bootstrap, 'idem', String(COUNT)])
  try {
    for (const threshold of [40_000, 110_000]) {
      await producer.waitForLine(new RegExp(`^delivered ${threshold}$`), 120_000)
      assert.equal(await broker.kill9(), 137)
      await sleep(300)
      broker = await startBrokerChild(dir, port, CONFIG)
    }
    const summary = JSON.parse((await producer.waitForLine(/^\{.*\}$/, 200_000))[0]) as { delivered: number, failed: number, errors: string[], unflushed: number }
    assert.deepEqual(summary, { delivered: COUNT, failed: 0, errors: [], unflushed: 0 })

    const byPartition = JSON.parse(await runPython('read_topic.py', [broker.bootstrap, 'idem', 'read_uncommitted'], 120_000)) as Record<string, string[]>
    const seen = new Uint8Array(COUNT)
    let total = 0
    for (const [partition, values] of Object.entries(byPartition)) {
      let previous = -1
      for (const v of values) {
        const id = Number(v)
        assert.ok(id > previous, `partition ${partition}: ${id} after ${previous}`)
        previous = id
        assert.equal(seen[id], 0, `message ${id} twice`)
        seen[id] = 1
        total++
      }
    }
    assert.equal(total, COUNT, 'every message once')
    assert.equal(Object.keys(byPartition).length, 4)
  } finally {
    await producer.kill9()
    await broker.stop()
    await rm(dir, { recursive: true, force: true })
  }
})

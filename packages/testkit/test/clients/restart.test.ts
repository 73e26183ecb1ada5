// Crash safety: a broker child process takes a steady stream of acks=all produces and is killed
// with SIGKILL mid-stream, then restarted on the same data dir, three times. Every acknowledged
// message must be there afterwards, in produce order, and the log must read cleanly to its end.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import kafkajs from 'kafkajs'
import { kcatConsumeAll, startBrokerProcess, tempDir, waitFor } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const ROUNDS = 3
const TOPIC = 'crash-restart'

test('kill -9 mid-stream and restart: every acknowledged message survives, in order', { timeout: 120_000 }, async () => {
  const data = await tempDir('brook-restart-')
  const acknowledged: number[] = []
  let nextId = 0
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      const broker = await startBrokerProcess({ dataDir: data.path, overrides: { 'num.partitions': '1' } })
      try {
        if (round === ROUNDS) {
          // The last start only checks what the earlier ones left behind.
          const messages = await kcatConsumeAll(broker.bootstrap, TOPIC, 60_000)
          checkLog(messages.map((m) => ({ offset: m.offset, payload: m.payload })), acknowledged)
          assert.equal(broker.process.exitCode, null, 'the broker is still running')
          break
        }
        const kafka = new Kafka({
          clientId: `restart-${round}`,
          brokers: [broker.bootstrap],
          logLevel: logLevel.NOTHING,
          retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
          connectionTimeout: 1000,
          requestTimeout: 5000
        })
        const producer = kafka.producer({ allowAutoTopicCreation: true })
        await producer.connect()
        const ackedBefore = acknowledged.length
        let crashed = false
        const producing = (async () => {
          while (!crashed) {
            const ids = Array.from({ length: 1 + (nextId % 7) }, () => nextId++)
            try {
              await producer.send({
                topic: TOPIC,
                acks: -1,
                messages: ids.map((id) => ({ key: `k${id % 5}`, value: `message-${id}` }))
              })
              acknowledged.push(...ids)
            } catch (err) {
              if (!crashed) throw err
              // Sends that fail after the kill are unacknowledged; they may or may not be in the log.
            }
          }
        })()
        // Once sends are being acknowledged, produce a while longer; the kill lands at a random
        // point of a send. (A failed send ends `producing`, so wait on that too.)
        await Promise.race([
          waitFor(() => acknowledged.length > ackedBefore, 15_000, { message: `round ${round}: a first acknowledged send` }),
          producing
        ])
        await sleep(200 + Math.floor(Math.random() * 800))
        crashed = true
        assert.equal(await broker.kill9(), 137)
        await producing
        await producer.disconnect()
      } finally {
        await broker.stop('SIGKILL')
      }
    }
  } finally {
    await data.cleanup()
  }
})

// The log must be: dense offsets from 0; every payload a well-formed message id; ids strictly
// increasing (one sequential producer, never resent); every acknowledged id present.
function checkLog (log: Array<{ offset: number, payload: string | null }>, acknowledged: number[]): void {
  const ids: number[] = []
  log.forEach((m, i) => {
    assert.equal(m.offset, i, 'offsets are dense from 0')
    const match = /^message-(\d+)$/.exec(m.payload ?? '')
    assert.ok(match !== null, `garbled payload at offset ${m.offset}: ${JSON.stringify(m.payload)}`)
    const id = Number(match[1])
    if (ids.length > 0) assert.ok(id > (ids.at(-1) ?? -1), `offset ${m.offset}: id ${id} after ${ids.at(-1)}`)
    ids.push(id)
  })
  const present = new Set(ids)
  const missing = acknowledged.filter((id) => !present.has(id))
  assert.deepEqual(missing.slice(0, 20), [], `${missing.length} acknowledged messages are missing`)
  assert.ok(acknowledged.length > 0)
}

// A confluent-kafka-python consume-transform-produce loop (read_committed consumer, transactional
// producer, send_offsets_to_transaction) killed with SIGKILL at random points and restarted with
// the same transactional.id: the new incarnation fences the old one, whose open transaction is
// aborted (outputs and input offsets together), so in the end every input has exactly one
// committed output.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { prng } from '@brook/common'
import { startBroker } from '../../../src/broker.js'
import { runPython, sleep, spawnPython } from './processes.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const INPUTS = 3000
const KILLS = 4

test('consume-transform-produce killed at random points: exactly one output per input', { timeout: 240_000 }, async (t) => {
  const seed = Number(process.env.BROOK_TEST_SEED ?? Date.now() % 100000)
  t.diagnostic(`seed ${seed}`)
  const random = prng(seed)
  const dir = await mkdtemp(join(tmpdir(), 'brook-ctp-'))
  const broker = await startBroker({ config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'group.initial.rebalance.delay.ms': '0' } })
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  const args = [broker.bootstrap, 'ctp-in', 'ctp-out', 'ctp-group', 'ctp-tx']
  let worker = spawnPython('ctp_worker.py', args)
  try {
    await admin.createTopics({ topics: [{ topic: 'ctp-in', numPartitions: 3 }, { topic: 'ctp-out', numPartitions: 3 }] })
    const producer = kafka.producer()
    await producer.connect()
    // One wave of inputs per incarnation, sent before waiting for its first commit: a fast worker
    // cannot finish everything early and leave the next incarnation nothing to commit.
    const wave = INPUTS / (KILLS + 1)
    const sendWave = async (first: number): Promise<void> => {
      await producer.send({ topic: 'ctp-in', messages: Array.from({ length: wave }, (_v, j) => ({ key: String(first + j), value: `in-${first + j}` })) })
    }
    for (let kill = 0; kill < KILLS; kill++) {
      await sendWave(kill * wave)
      await worker.waitForLine(/^committed \d+$/, 60_000)
      await sleep(50 + Math.floor(random() * 700))
      assert.equal(await worker.kill9(), 137, `worker ${kill} died by SIGKILL, not by an error:\n${worker.stderr().slice(-2000)}`)
      worker = spawnPython('ctp_worker.py', args)
    }
    await sendWave(KILLS * wave)
    await producer.disconnect()
    // The last incarnation runs until the group's committed offsets cover every input.
    const deadline = Date.now() + 120_000
    let committed = 0
    while (Date.now() < deadline) {
      const offsets = await admin.fetchOffsets({ groupId: 'ctp-group', topics: ['ctp-in'] })
      committed = (offsets[0]?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0)
      if (committed >= INPUTS) break
      if (worker.process.exitCode !== null) assert.fail(`worker exited with ${worker.process.exitCode}:\n${worker.stderr().slice(-3000)}`)
      await sleep(250)
    }
    assert.equal(committed, INPUTS, 'the group committed every input')
    await worker.kill9()

    const outputs = Object.values(JSON.parse(await runPython('read_topic.py', [broker.bootstrap, 'ctp-out', 'read_committed'], 60_000)) as Record<string, string[]>).flat()
    const counts = new Map<string, number>()
    for (const v of outputs) counts.set(v, (counts.get(v) ?? 0) + 1)
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([v]) => v)
    const missing = Array.from({ length: INPUTS }, (_v, i) => `out-in-${i}`).filter((v) => !counts.has(v))
    assert.deepEqual({ duplicated: duplicated.slice(0, 10), missing: missing.slice(0, 10) }, { duplicated: [], missing: [] })
    assert.equal(outputs.length, INPUTS)
    // The aborted attempts are in the log, visible to read_uncommitted only.
    const everything = Object.values(JSON.parse(await runPython('read_topic.py', [broker.bootstrap, 'ctp-out', 'read_uncommitted'], 60_000)) as Record<string, string[]>).flat()
    assert.ok(everything.length >= INPUTS)
    t.diagnostic(`${everything.length - INPUTS} aborted outputs in the log`)
  } finally {
    await worker.kill9()
    await admin.disconnect()
    await broker.close()
    await rm(dir, { recursive: true, force: true })
  }
})

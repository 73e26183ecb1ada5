// Brook's share consumer (KIP-932) against the broker's share groups: two members split a queue
// (implicit acknowledgement), explicit RELEASE comes back with a raised delivery count and REJECT
// never does, a record whose lock runs out goes to another member, and Brook's consumer works
// beside librdkafka 2.15's share consumer in one group.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, type AcknowledgementResult, type ShareConsumer, type ShareMessage } from '@brook/client'
import { startShareConsumer, startTestBroker } from '@brook/testkit'
import { SHARE_BROKER_CONFIG, prepareQueue, until } from '../share/helpers.js'

/** Offsets the broker confirmed (acknowledgement answers without error) as `type`, per consumer. */
function confirmed (results: AcknowledgementResult[][]): Set<string> {
  const out = new Set<string>()
  for (const list of results) for (const r of list) if (r.error === null) for (const o of r.offsets) out.add(`${r.partition}:${o}`)
  return out
}

async function startOffset (bootstrap: string, group: string, topic: string): Promise<bigint> {
  const admin = new Client({ brokers: [bootstrap] }).admin()
  try {
    const offsets = await admin.describeShareGroupOffsets(group, [{ topic, partitions: [0] }])
    return offsets[0]?.startOffset ?? -1n
  } finally {
    await admin.close()
  }
}

test('two Brook share consumers split a queue; implicit acknowledgement accepts each record once', { timeout: 180_000 }, async () => {
  const count = 300
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const consumers: ShareConsumer[] = []
  try {
    await prepareQueue(broker.bootstrap, 'jobs', 'workers', count)
    const got: ShareMessage[][] = [[], []]
    const runs: Array<Promise<void>> = []
    for (const i of [0, 1]) {
      const c = new Client({ brokers: [broker.bootstrap] }).shareConsumer({ groupId: 'workers', maxRecords: 10 })
      c.subscribe(['jobs'])
      consumers.push(c)
      runs.push(c.run({
        eachMessage: async ({ message }) => {
          got[i]!.push(message)
          // A little work per record, so that both members take turns at the queue.
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
      }))
    }
    await until(`${count} records delivered`, () => new Set([...got[0]!, ...got[1]!].map((m) => m.offset)).size === count, 120_000)
    // Nothing was acknowledged but through the next poll: every record is done once the start offset reaches the end.
    await until('the share-partition start offset at the end of the log', async () => await startOffset(broker.bootstrap, 'workers', 'jobs') === BigInt(count), 60_000)
    const all = [...got[0]!, ...got[1]!]
    assert.equal(all.length, count, 'no record was delivered twice')
    assert.ok(got[0]!.length > 0 && got[1]!.length > 0, `both members got records (${got[0]!.length} and ${got[1]!.length})`)
    assert.ok(all.every((m) => m.deliveryCount === 1), 'first deliveries only')
    assert.deepEqual(all.map((m) => m.value?.toString()).sort(), Array.from({ length: count }, (_, i) => `m${i}`).sort())
    assert.equal(consumers[0]!.acquisitionLockTimeoutMs, 4000, 'the lock duration the broker set (group.share.record.lock.duration.ms)')
    assert.throws(() => consumers[0]!.acknowledge(got[0]![0]!, 'release'), /needs acknowledgementMode 'explicit'/, 'implicit mode refuses acknowledge(), as Kafka\'s consumer does')
    for (const c of consumers) c.stop()
    await Promise.all(runs)
  } finally {
    for (const c of consumers) await c.close()
    await broker.close()
  }
})

test('explicit acknowledgement: RELEASE comes back with delivery count 2, REJECT never; commitSync reports the outcome', { timeout: 180_000 }, async () => {
  const count = 100
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const results: AcknowledgementResult[][] = []
  const consumer = new Client({ brokers: [broker.bootstrap] }).shareConsumer({ groupId: 'explicit', acknowledgementMode: 'explicit', onAcknowledgementCommit: (r) => results.push(r) })
  try {
    await prepareQueue(broker.bootstrap, 'tasks', 'explicit', count)
    consumer.subscribe(['tasks'])
    const deliveries: ShareMessage[] = []
    const accepted = new Set<bigint>()
    let committed = 0
    await until('every record accepted or rejected', async () => {
      const messages = await consumer.poll(1000)
      for (const m of messages) {
        deliveries.push(m)
        if (m.offset % 7n === 0n) consumer.acknowledge(m, 'reject')
        else if (m.offset % 5n === 0n && m.deliveryCount === 1) consumer.acknowledge(m, 'release')
        else { consumer.acknowledge(m, 'accept'); accepted.add(m.offset) }
      }
      if (messages.length > 0 && committed++ % 2 === 0) {
        // Every other round through commitSync (ShareAcknowledge), the rest with the next poll (ShareFetch).
        const r = await consumer.commitSync()
        assert.ok(r.every((x) => x.error === null), `commitSync: ${r.map((x) => x.error?.message).join(', ')}`)
        results.push(r)
      }
      return accepted.size === count - Math.ceil(count / 7)
    }, 120_000)
    await consumer.commitSync()
    await until('the start offset at the end of the log (rejected records are done too)', async () => await startOffset(broker.bootstrap, 'explicit', 'tasks') === BigInt(count), 60_000)
    for (let o = 0n; o < BigInt(count); o++) {
      const got = deliveries.filter((m) => m.offset === o).map((m) => m.deliveryCount)
      if (o % 7n === 0n) assert.deepEqual(got, [1], `rejected offset ${o} delivered once`)
      else if (o % 5n === 0n) assert.deepEqual(got, [1, 2], `released offset ${o} delivered again with count 2`)
      else assert.deepEqual(got, [1], `offset ${o}`)
    }
    assert.equal(confirmed(results).size, count, 'every offset had an acknowledgement the broker confirmed')
    // Polling again with records of the last poll not acknowledged is refused in explicit mode.
    const more = await consumer.poll(200)
    assert.deepEqual(more, [], 'nothing left')
  } finally {
    await consumer.close()
    await broker.close()
  }
})

test('run(): a handler that throws releases its record (delivered again, count 2); for await with commitAsync', { timeout: 180_000 }, async () => {
  const count = 60
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const client = new Client({ brokers: [broker.bootstrap] })
  try {
    await prepareQueue(broker.bootstrap, 'flaky', 'flaky-workers', count)
    await prepareQueue(broker.bootstrap, 'iterated', 'iterators', count)
    const handled: ShareMessage[] = []
    const worker = client.shareConsumer({ groupId: 'flaky-workers' })
    worker.subscribe(['flaky'])
    const run = worker.run({
      eachMessage: ({ message }) => {
        handled.push(message)
        if (message.offset % 4n === 0n && message.deliveryCount === 1) throw new Error('transient failure')
      }
    })
    await until('every record handled, the failed ones twice', () => handled.length === count + count / 4, 120_000)
    worker.stop()
    await run
    await worker.close()
    for (let o = 0n; o < BigInt(count); o++) {
      assert.deepEqual(handled.filter((m) => m.offset === o).map((m) => m.deliveryCount), o % 4n === 0n ? [1, 2] : [1], `offset ${o}`)
    }
    await until('all done for the group', async () => await startOffset(broker.bootstrap, 'flaky-workers', 'flaky') === BigInt(count), 60_000)

    const results: AcknowledgementResult[][] = []
    const reader = client.shareConsumer({ groupId: 'iterators', acknowledgementMode: 'explicit', onAcknowledgementCommit: (r) => results.push(r) })
    reader.subscribe(['iterated'])
    let seen = 0
    for await (const batch of reader) {
      assert.equal(batch.topic, 'iterated')
      for (const m of batch.messages) reader.acknowledge(m, 'accept')
      reader.commitAsync()
      seen += batch.messages.length
      if (seen >= count) break
    }
    await until('commitAsync answered for every record', () => confirmed(results).size === count, 60_000)
    await reader.close()
    assert.equal(await startOffset(broker.bootstrap, 'iterators', 'iterated'), BigInt(count))
  } finally {
    await broker.close()
  }
})

test('a record held past its acquisition lock goes to another member with a raised delivery count', { timeout: 180_000 }, async () => {
  const count = 20
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const client = new Client({ brokers: [broker.bootstrap] })
  const slow = client.shareConsumer({ groupId: 'locks', acknowledgementMode: 'explicit', maxRecords: 5 })
  const other = client.shareConsumer({ groupId: 'locks' })
  try {
    await prepareQueue(broker.bootstrap, 'locked', 'locks', count)
    slow.subscribe(['locked'])
    let held: ShareMessage[] = []
    await until('the slow member holds records', async () => { held = await slow.poll(1000); return held.length > 0 }, 60_000)
    // Not acknowledged; the slow member stops polling. The other member takes everything,
    // the held records only once their 4 s lock has run out.
    const heldAt = Date.now()
    await assert.rejects(slow.poll(100), /not acknowledged/, 'explicit mode refuses a poll before every record is acknowledged')
    other.subscribe(['locked'])
    const got: Array<{ m: ShareMessage, at: number }> = []
    await until('all records at the other member', async () => {
      for (const m of await other.poll(1000)) got.push({ m, at: Date.now() })
      return new Set(got.map((g) => g.m.offset)).size === count
    }, 120_000)
    for (const h of held) {
      const again = got.find((g) => g.m.offset === h.offset)!
      assert.equal(again.m.deliveryCount, 2, `offset ${h.offset} delivered a second time`)
      assert.ok(again.at - heldAt >= 3000, `offset ${h.offset} came back ${again.at - heldAt} ms after it was acquired, before its lock ran out`)
    }
    assert.ok(got.filter((g) => g.m.deliveryCount === 1).length === count - held.length, 'the others once')
  } finally {
    await other.close()
    await slow.close()
    await broker.close()
  }
})

test('renewLocks keeps records acquired past their lock; the other member never gets them', { timeout: 180_000 }, async () => {
  const count = 20
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const client = new Client({ brokers: [broker.bootstrap] })
  const slow = client.shareConsumer({ groupId: 'renewers', acknowledgementMode: 'explicit', maxRecords: 5 })
  const other = client.shareConsumer({ groupId: 'renewers' })
  try {
    await prepareQueue(broker.bootstrap, 'long-jobs', 'renewers', count)
    slow.subscribe(['long-jobs'])
    let held: ShareMessage[] = []
    await until('the slow member holds records', async () => { held = await slow.poll(1000); return held.length > 0 }, 60_000)
    const heldAt = Date.now()
    other.subscribe(['long-jobs'])
    const got: ShareMessage[] = []
    // Twice the 4 s lock, renewed every second; the other member polls meanwhile.
    while (Date.now() - heldAt < 8000) {
      const renewed = await slow.renewLocks(held)
      assert.ok(renewed.every((r) => r.error === null), `renewLocks: ${renewed.map((r) => r.error?.message).join(', ')}`)
      got.push(...await other.poll(1000))
    }
    for (const h of held) slow.acknowledge(h, 'accept')
    const committed = await slow.commitSync()
    assert.ok(committed.length > 0 && committed.every((r) => r.error === null), 'the held records accepted after 8 s')
    await until('the other member has the rest', async () => {
      got.push(...await other.poll(500))
      return got.length >= count - held.length
    }, 60_000)
    const heldOffsets = new Set(held.map((m) => m.offset))
    assert.ok(got.every((m) => !heldOffsets.has(m.offset)), 'no held record reached the other member')
    assert.ok(got.every((m) => m.deliveryCount === 1))
    await other.commitSync()
    await until('all done', async () => await startOffset(broker.bootstrap, 'renewers', 'long-jobs') === BigInt(count), 60_000)
  } finally {
    await other.close()
    await slow.close()
    await broker.close()
  }
})

test('Brook\'s share consumer and librdkafka 2.15\'s share the same share group', { timeout: 240_000 }, async () => {
  const count = 400
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const results: AcknowledgementResult[][] = []
  const brook = new Client({ brokers: [broker.bootstrap] }).shareConsumer({ groupId: 'mixed', maxRecords: 10, onAcknowledgementCommit: (r) => results.push(r) })
  let rdk: Awaited<ReturnType<typeof startShareConsumer>> | null = null
  try {
    // A long lock: Brook holds its first records while librdkafka starts (a slow start on a
    // loaded box must not let them expire and come back).
    await prepareQueue(broker.bootstrap, 'mixed-jobs', 'mixed', count, { 'share.record.lock.duration.ms': '30000' })
    brook.subscribe(['mixed-jobs'])
    const got: ShareMessage[] = []
    let rdkStarted: Promise<void> = Promise.resolve()
    const run = brook.run({
      eachMessage: async ({ message }) => {
        got.push(message)
        // Brook took the first records; it waits until librdkafka has some too, so both share
        // the queue whichever is faster on this box.
        await rdkStarted
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })
    await until('Brook has its first records', () => got.length > 0, 60_000)
    rdkStarted = (async () => {
      rdk = await startShareConsumer({ bootstrap: broker.bootstrap, group: 'mixed', topic: 'mixed-jobs', delayUs: 5000 })
      const started = rdk
      await until('librdkafka has records', () => started.messages.length > 0, 120_000)
    })()
    await rdkStarted
    const rdkOut = rdk!
    await until('every record accepted by one of them', () => confirmed(results).size + rdkOut.confirmedAccepted().size >= count, 180_000)
    brook.stop()
    await run
    const brookDone = confirmed(results)
    const rdkDone = rdkOut.confirmedAccepted()
    assert.ok(brookDone.size > 0, 'Brook accepted records')
    assert.ok(rdkDone.size > 0, 'librdkafka accepted records')
    for (const k of brookDone) assert.ok(!rdkDone.has(k), `${k} accepted by both`)
    assert.equal(brookDone.size + rdkDone.size, count)
    assert.ok(got.every((m) => m.deliveryCount === 1), 'no record was redelivered')
  } finally {
    await brook.close()
    await (rdk as Awaited<ReturnType<typeof startShareConsumer>> | null)?.stop()
    await broker.close()
  }
})

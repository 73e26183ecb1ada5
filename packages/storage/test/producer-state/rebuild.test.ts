// Rebuilding producer state from the log alone must give the state the incremental appends built:
// random producers, epochs, transactions and markers, appended through the client path, then
// replayed from the accepted batches; and snapshot + tail replay must give the same again.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import type { ProducerBatch } from '../../src/producer-state/producer-batch.js'
import { ProducerStateManager } from '../../src/producer-state/producer-state-manager.js'
import { rebuildProducerState } from '../../src/producer-state/rebuild.js'
import { encodeSnapshot } from '../../src/producer-state/snapshot.js'
import { INT32_MAX, incrementSequence } from '../../src/producer-state/sequence.js'
import { prng } from '@brook/common'
import { data, marker } from './helpers.js'

const config = { producerIdExpirationMs: 1e12 }

interface Producer { pid: bigint, epoch: number, nextSeq: number, inTxn: boolean }

function fullState (m: ProducerStateManager): string {
  const entries = [...m.entries()].sort((a, b) => (a.producerId < b.producerId ? -1 : 1))
  return JSON.stringify({ entries, lso: m.lastStableOffset(m.mapEndOffset), end: m.mapEndOffset }, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v)
}

function randomLog (seed: number, steps: number): { incremental: ProducerStateManager, log: ProducerBatch[] } {
  const random = prng(seed)
  const producers: Producer[] = []
  for (let i = 0; i < 4; i++) producers.push({ pid: BigInt(i + 1), epoch: 0, nextSeq: i === 3 ? INT32_MAX - 20 : 0, inTxn: false })
  const m = new ProducerStateManager(config)
  const log: ProducerBatch[] = []
  let offset = 0
  for (let step = 0; step < steps; step++) {
    const p = producers[Math.floor(random() * producers.length)] as Producer
    const r = random()
    let batch: ProducerBatch
    let origin: 'client' | 'coordinator' = 'client'
    if (r < 0.08) {
      p.epoch++
      p.nextSeq = 0
      continue
    } else if (r < 0.2 && p.inTxn) {
      batch = marker({ pid: p.pid, epoch: p.epoch, offset, commit: random() < 0.5, coordinatorEpoch: 1 })
      origin = 'coordinator'
      p.inTxn = false
    } else if (r < 0.25 && log.length > 0) {
      // A retry of something already written (duplicate or out of order): must change nothing.
      const old = log[Math.floor(random() * log.length)] as ProducerBatch
      batch = { ...old, baseOffset: offset }
    } else {
      const count = 1 + Math.floor(random() * 5)
      const txn = p.inTxn || (p.pid % 2n === 0n && random() < 0.5)
      batch = data({ pid: p.pid, epoch: p.epoch, seq: p.nextSeq, count, offset, txn, ts: step })
      p.nextSeq = incrementSequence(p.nextSeq, count)
      p.inTxn = txn
    }
    const outcome = m.append([batch], origin)
    if (outcome.kind === 'appended') {
      log.push(batch)
      offset += batch.lastOffsetDelta + 1
    }
  }
  return { incremental: m, log }
}

test('rebuild from the log equals the incremental state', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const { incremental, log } = randomLog(seed, 400)
    assert.ok(log.length > 200, `seed ${seed}: enough appends (${log.length})`)
    const rebuilt = rebuildProducerState(log, config)
    assert.equal(fullState(rebuilt), fullState(incremental), `seed ${seed}`)
  }
})

test('snapshot + replay of the tail equals the incremental state (up to retained batches)', async () => {
  const { incremental, log } = randomLog(11, 400)
  const fs = new MemoryFileSystem()
  await fs.mkdir('/d')
  const half = Math.floor(log.length / 2)
  const first = rebuildProducerState(log.slice(0, half), config)
  const snapOffset = await first.takeSnapshot(fs, '/d')
  assert.notEqual(snapOffset, null)
  const recovered = new ProducerStateManager(config)
  const from = await recovered.loadSnapshot(fs, '/d', 0, incremental.mapEndOffset, 0)
  assert.equal(from, snapOffset)
  for (const batch of log) if (batch.baseOffset >= from) recovered.append([batch], 'replication')
  // A snapshot keeps only each producer's last batch, so compare what it keeps, plus the LSO.
  assert.deepEqual(encodeSnapshot(recovered.entries()), encodeSnapshot(incremental.entries()))
  assert.equal(recovered.lastStableOffset(recovered.mapEndOffset), incremental.lastStableOffset(incremental.mapEndOffset))
})

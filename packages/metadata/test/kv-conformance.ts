// The key-value seam's conformance suite: the embedded backend must behave as etcd does on every
// point the metadata rules rely on. memory-kv.test.ts runs it on MemoryKv, etcd-store.test.ts on
// EtcdKv against a real etcd.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { waitFor } from '@brook/testkit'
import type { KvBackend, KvEvent } from '../src/index.js'

export interface KvSubject {
  kv: KvBackend
  /** A fresh prefix no other test uses. */
  prefix: string
  /** Discards history up to `revision` (etcd's compaction), so older watches must reset. */
  compact: (revision: number) => Promise<void>
  cleanup: () => Promise<void>
}

interface Recorded {
  batches: Array<{ revision: number, events: KvEvent[] }>
  resets: number[]
}

function recorder (): Recorded & { handler: Parameters<KvBackend['watch']>[2] } {
  const rec: Recorded = { batches: [], resets: [] }
  return {
    ...rec,
    handler: {
      events: (revision, events) => { rec.batches.push({ revision, events: [...events] }) },
      reset: (_entries, revision) => { rec.resets.push(revision) }
    }
  }
}

export function kvConformance (name: string, make: () => Promise<KvSubject>): void {
  describe(`KvBackend conformance: ${name}`, () => {
    const test = (title: string, fn: (s: KvSubject) => Promise<void>): void => {
      it(title, { timeout: 20_000 }, async () => {
        const s = await make()
        try { await fn(s) } finally { await s.cleanup() }
      })
    }

    test('create and mod revisions: 0 for an absent key, compared exactly', async ({ kv, prefix }) => {
      const k = `${prefix}/a`
      const absent = await kv.txn({ compares: [{ key: k, target: 'create', revision: 0 }], success: [{ type: 'put', key: k, value: '1' }] })
      assert.equal(absent.succeeded, true)
      const first = await kv.get(k)
      assert.deepEqual([first?.value, first?.createRevision, first?.modRevision], ['1', absent.revision, absent.revision])
      const again = await kv.txn({ compares: [{ key: k, target: 'create', revision: 0 }], success: [{ type: 'put', key: k, value: '2' }] })
      assert.equal(again.succeeded, false)
      const swap = await kv.txn({ compares: [{ key: k, target: 'mod', revision: absent.revision }], success: [{ type: 'put', key: k, value: '3' }] })
      assert.equal(swap.succeeded, true)
      const after = await kv.get(k)
      assert.deepEqual([after?.value, after?.createRevision, after?.modRevision], ['3', absent.revision, swap.revision])
      const stale = await kv.txn({ compares: [{ key: k, target: 'mod', revision: absent.revision }], success: [{ type: 'delete', key: k }] })
      assert.equal(stale.succeeded, false)
      assert.equal((await kv.get(k))?.value, '3')
      const missingMod = await kv.txn({ compares: [{ key: `${prefix}/none`, target: 'mod', revision: 0 }], success: [{ type: 'put', key: `${prefix}/b`, value: 'x' }] })
      assert.equal(missingMod.succeeded, true, 'an absent key has mod revision 0')
    })

    test('a transaction applies all its operations at one revision, or none', async ({ kv, prefix }) => {
      const rec = recorder()
      const { revision: start } = await kv.range(`${prefix}/`)
      const watch = await kv.watch(`${prefix}/`, start + 1, rec.handler)
      try {
        const res = await kv.txn({
          compares: [{ key: `${prefix}/x`, target: 'create', revision: 0 }],
          success: [{ type: 'put', key: `${prefix}/x`, value: '1' }, { type: 'put', key: `${prefix}/y`, value: '2' }]
        })
        const failed = await kv.txn({
          compares: [{ key: `${prefix}/x`, target: 'create', revision: 0 }],
          success: [{ type: 'put', key: `${prefix}/z`, value: '3' }]
        })
        assert.equal(failed.succeeded, false)
        assert.equal(await kv.get(`${prefix}/z`), null)
        const del = await kv.txn({ compares: [{ key: `${prefix}/x`, target: 'mod', revision: res.revision }], success: [{ type: 'deletePrefix', prefix: `${prefix}/` }] })
        await waitFor(() => rec.batches.length >= 2, 10_000, { message: 'two batches' })
        assert.deepEqual(rec.batches.map((b) => [b.revision, b.events.map((e) => `${e.type} ${e.key.slice(prefix.length)}`)]), [
          [res.revision, ['put /x', 'put /y']],
          [del.revision, ['delete /x', 'delete /y']]
        ])
        assert.deepEqual((await kv.range(`${prefix}/`)).entries, [])
      } finally {
        await watch.cancel()
      }
    })

    test('transactions over the default limits are refused whole', async ({ kv, prefix }) => {
      const ops = Array.from({ length: kv.limits.maxTxnOps + 1 }, (_v, i) => ({ type: 'put' as const, key: `${prefix}/k${i}`, value: 'v' }))
      await assert.rejects(kv.txn({ compares: [{ key: `${prefix}/c`, target: 'create', revision: 0 }], success: ops }), /too many operations/)
      const big = 'x'.repeat(kv.limits.maxRequestBytes + 1)
      await assert.rejects(kv.txn({ compares: [{ key: `${prefix}/c`, target: 'create', revision: 0 }], success: [{ type: 'put', key: `${prefix}/big`, value: big }] }), /too large/)
      assert.deepEqual((await kv.range(`${prefix}/`)).entries, [])
      const fits = await kv.txn({ compares: [{ key: `${prefix}/c`, target: 'create', revision: 0 }], success: ops.slice(0, kv.limits.maxTxnOps) })
      assert.equal(fits.succeeded, true)
    })

    test('a lease that is not kept alive expires and takes its keys; one kept alive does not', async ({ kv, prefix }) => {
      const dying = await kv.grantLease(1)
      const living = await kv.grantLease(1)
      await kv.txn({ compares: [{ key: `${prefix}/d`, target: 'create', revision: 0 }], success: [
        { type: 'put', key: `${prefix}/d`, value: 'd', lease: dying },
        { type: 'put', key: `${prefix}/l`, value: 'l', lease: living }
      ] })
      const beat = setInterval(() => { kv.keepAlive(living).catch((err: unknown) => { assert.fail(String(err)) }) }, 250)
      try {
        await waitFor(async () => (await kv.get(`${prefix}/d`)) === null, 10_000, { message: 'leased key expired' })
        assert.equal(await kv.keepAlive(dying), false)
        assert.equal((await kv.get(`${prefix}/l`))?.value, 'l')
      } finally {
        clearInterval(beat)
      }
      await kv.revokeLease(living)
      assert.equal(await kv.get(`${prefix}/l`), null)
      assert.equal(await kv.keepAlive(living), false)
      await kv.revokeLease(living)
    })

    test('a watch from a past revision replays history; one from a compacted revision gets a reset', async (s) => {
      const { kv, prefix } = s
      const first = await kv.txn({ compares: [{ key: `${prefix}/h`, target: 'create', revision: 0 }], success: [{ type: 'put', key: `${prefix}/h`, value: '1' }] })
      let last = first.revision
      for (let i = 2; i <= 5; i++) {
        last = (await kv.txn({ compares: [{ key: `${prefix}/h`, target: 'mod', revision: last }], success: [{ type: 'put', key: `${prefix}/h`, value: String(i) }] })).revision
      }
      const replay = recorder()
      const w1 = await kv.watch(`${prefix}/`, first.revision, replay.handler)
      await waitFor(() => replay.batches.length === 5, 10_000, { message: 'history replayed' })
      await w1.cancel()
      assert.deepEqual(replay.batches.map((b) => b.events[0]?.value), ['1', '2', '3', '4', '5'])
      assert.deepEqual(replay.resets, [])

      await s.compact(last)
      const after = recorder()
      const w2 = await kv.watch(`${prefix}/`, first.revision, after.handler)
      try {
        await waitFor(() => after.resets.length === 1, 10_000, { message: 'reset after compaction' })
        assert.ok((after.resets[0] ?? 0) >= last)
        const next = await kv.txn({ compares: [{ key: `${prefix}/h`, target: 'mod', revision: last }], success: [{ type: 'put', key: `${prefix}/h`, value: '6' }] })
        await waitFor(() => after.batches.some((b) => b.revision === next.revision), 10_000, { message: 'events after the reset' })
        assert.ok(after.batches.every((b) => b.revision > (after.resets[0] ?? 0)), 'nothing older than the reset is replayed')
      } finally {
        await w2.cancel()
      }
    })
  })
}

// The ScramRecordStore conformance suite (scram-records.ts lists the guarantees).
// scram-store.test.ts runs it on the embedded file store and on the key-value store over
// MemoryKv; etcd-store.test.ts on the key-value store over a real etcd.
import { describe } from 'node:test'
import assert from 'node:assert/strict'
import { waitFor } from '@brook/testkit'
import type { ScramRecordStore, StoredScramCredential } from '../src/index.js'
import { storeCase } from './store-case.js'

export interface ScramSubject {
  /** A store opened afresh on the storage: what the same broker, restarted, opens. */
  open: () => Promise<ScramRecordStore>
  /** What another broker sharing the credentials opens; for the file store, another handle on the first. */
  peer: (first: ScramRecordStore) => Promise<ScramRecordStore>
  cleanup: () => Promise<void>
}

const credential = (n: number): StoredScramCredential => ({ salt: `salt-${n}`, storedKey: `stored-${n}`, serverKey: `server-${n}`, iterations: 4096 + n })

export function scramConformance (name: string, make: () => Promise<ScramSubject>): void {
  describe(`ScramRecordStore conformance: ${name}`, () => {
    const test = storeCase(make)

    test('apply makes upserts and deletes visible at once, in order', async (_s, a) => {
      await a.apply([
        { op: 'upsert', user: 'alice', mechanism: 'SCRAM-SHA-256', credential: credential(1) },
        { op: 'upsert', user: 'alice', mechanism: 'SCRAM-SHA-512', credential: credential(2) },
        { op: 'upsert', user: 'bob/with:odd=chars', mechanism: 'SCRAM-SHA-512', credential: credential(3) },
        { op: 'upsert', user: 'carol', mechanism: 'SCRAM-SHA-256', credential: credential(4) },
        { op: 'delete', user: 'carol', mechanism: 'SCRAM-SHA-256' }
      ])
      assert.deepEqual(a.get('alice', 'SCRAM-SHA-512'), credential(2))
      assert.deepEqual(a.get('bob/with:odd=chars', 'SCRAM-SHA-512'), credential(3))
      assert.equal(a.get('carol', 'SCRAM-SHA-256'), null)
      assert.deepEqual([...a.users().keys()].sort(), ['alice', 'bob/with:odd=chars'])
      assert.deepEqual([...(a.users().get('alice')?.keys() ?? [])].sort(), ['SCRAM-SHA-256', 'SCRAM-SHA-512'])
      await a.apply([{ op: 'upsert', user: 'alice', mechanism: 'SCRAM-SHA-256', credential: credential(9) }, { op: 'delete', user: 'alice', mechanism: 'SCRAM-SHA-512' }])
      assert.deepEqual(a.get('alice', 'SCRAM-SHA-256'), credential(9))
      assert.equal(a.get('alice', 'SCRAM-SHA-512'), null)
    })

    test('a change through one store reaches another', async (s, a) => {
      const b = await s.peer(a)
      try {
        await a.apply([{ op: 'upsert', user: 'dora', mechanism: 'SCRAM-SHA-256', credential: credential(5) }])
        await waitFor(() => b.get('dora', 'SCRAM-SHA-256') !== null, 10_000, { message: 'the second store seeing the credential' })
        await b.apply([{ op: 'delete', user: 'dora', mechanism: 'SCRAM-SHA-256' }])
        await waitFor(() => a.get('dora', 'SCRAM-SHA-256') === null, 10_000, { message: 'the first store seeing the deletion' })
      } finally {
        await b.close()
      }
    })

    test('credentials survive closing and reopening the store', async (s, a) => {
      await a.apply([{ op: 'upsert', user: 'erin', mechanism: 'SCRAM-SHA-512', credential: credential(6) }])
      await a.close()
      const again = await s.open()
      try {
        assert.deepEqual(again.get('erin', 'SCRAM-SHA-512'), credential(6))
      } finally {
        await again.close()
      }
    })
  })
}

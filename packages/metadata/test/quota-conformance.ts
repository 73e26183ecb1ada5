// The ClientQuotaStore conformance suite (quota/quota-records.ts lists the guarantees).
// quota-store.test.ts runs it on the embedded file store and on the key-value store over
// MemoryKv; etcd-store.test.ts on the key-value store over a real etcd.
import { describe } from 'node:test'
import assert from 'node:assert/strict'
import { waitFor } from '@brook/testkit'
import type { ClientQuotaStore, QuotaEntity } from '../src/index.js'
import { storeCase } from './store-case.js'

export interface QuotaSubject {
  /** A store opened afresh on the storage: what the same broker, restarted, opens. */
  open: () => Promise<ClientQuotaStore>
  /** What another broker sharing the quotas opens; for the file store, another handle on the first. */
  peer: (first: ClientQuotaStore) => Promise<ClientQuotaStore>
  cleanup: () => Promise<void>
}

const entity = (...parts: Array<[string, string | null]>): QuotaEntity => new Map(parts)
const ALICE = entity(['user', 'alice'])
const ALICE_APP = entity(['client-id', 'app/1'], ['user', 'alice'])
const APP_ALICE = entity(['user', 'alice'], ['client-id', 'app/1'])
const DEFAULT_USER = entity(['user', null])
const DEFAULT_IP = entity(['ip', null])

function table (store: ClientQuotaStore): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {}
  for (const r of store.records()) {
    const name = [...r.entity].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `${t}=${n ?? '<default>'}`).join(',')
    out[name] = Object.fromEntries(r.values)
  }
  return out
}

export function quotaConformance (name: string, make: () => Promise<QuotaSubject>): void {
  describe(`ClientQuotaStore conformance: ${name}`, () => {
    const test = storeCase(make)

    test('apply makes sets and removals visible at once, the last change to a key winning', async (_s, a) => {
      assert.deepEqual(a.records(), [])
      await a.apply([
        { entity: ALICE, key: 'producer_byte_rate', value: 1024 },
        { entity: ALICE, key: 'consumer_byte_rate', value: 2048 },
        { entity: ALICE_APP, key: 'request_percentage', value: 12.5 },
        { entity: DEFAULT_USER, key: 'controller_mutation_rate', value: 3 },
        { entity: DEFAULT_IP, key: 'connection_creation_rate', value: 10 },
        { entity: DEFAULT_IP, key: 'connection_creation_rate', value: 20 },
        { entity: DEFAULT_USER, key: 'producer_byte_rate', value: 5 },
        { entity: DEFAULT_USER, key: 'producer_byte_rate', value: null }
      ])
      assert.deepEqual(table(a), {
        'user=alice': { producer_byte_rate: 1024, consumer_byte_rate: 2048 },
        'client-id=app/1,user=alice': { request_percentage: 12.5 },
        'user=<default>': { controller_mutation_rate: 3 },
        'ip=<default>': { connection_creation_rate: 20 }
      })
      // An entity is the same whatever the order of its components.
      assert.deepEqual([...a.valuesOf(APP_ALICE)], [['request_percentage', 12.5]])
      assert.deepEqual([...a.valuesOf(entity(['user', 'bob']))], [])
      assert.deepEqual(['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', 'controller_mutation_rate', 'connection_creation_rate'].map((k) => a.hasKey(k)),
        [true, true, true, true, true])
      await a.apply([{ entity: ALICE, key: 'producer_byte_rate', value: null }, { entity: ALICE, key: 'consumer_byte_rate', value: null }, { entity: APP_ALICE, key: 'request_percentage', value: 50 }])
      assert.equal(table(a)['user=alice'], undefined, 'an entity without values is gone')
      assert.equal(a.hasKey('producer_byte_rate'), false, 'no entity has the key any more')
      assert.equal(a.hasKey('consumer_byte_rate'), false)
      assert.deepEqual([...a.valuesOf(ALICE_APP)], [['request_percentage', 50]])
    })

    test('a change through one store reaches another', async (s, a) => {
      const b = await s.peer(a)
      try {
        await a.apply([{ entity: ALICE, key: 'producer_byte_rate', value: 4096 }])
        await waitFor(() => b.valuesOf(ALICE).get('producer_byte_rate') === 4096, 10_000, { message: 'the second store seeing the quota' })
        await b.apply([{ entity: ALICE, key: 'producer_byte_rate', value: null }])
        await waitFor(() => a.valuesOf(ALICE).size === 0, 10_000, { message: 'the first store seeing the removal' })
        assert.equal(b.hasKey('producer_byte_rate'), false)
      } finally {
        await b.close()
      }
    })

    test('quotas survive closing and reopening the store', async (s, a) => {
      await a.apply([{ entity: ALICE_APP, key: 'consumer_byte_rate', value: 777 }, { entity: DEFAULT_IP, key: 'connection_creation_rate', value: 9 }])
      await a.close()
      const again = await s.open()
      try {
        assert.deepEqual(table(again), { 'client-id=app/1,user=alice': { consumer_byte_rate: 777 }, 'ip=<default>': { connection_creation_rate: 9 } })
      } finally {
        await again.close()
      }
    })
  })
}

// The AclStore conformance suite: what every store must show (acl-store.ts lists the
// guarantees). acl-store.test.ts runs it on the embedded file store and on the key-value store
// over MemoryKv; etcd-store.test.ts on the key-value store over a real etcd.
import { describe } from 'node:test'
import assert from 'node:assert/strict'
import { waitFor } from '@brook/testkit'
import { type AclBinding, type AclStore, aclKey, AclOperation, AclPermission, PatternType, ResourceType } from '../src/index.js'
import { storeCase } from './store-case.js'

export interface AclSubject {
  /** A store opened afresh on the storage: what the same broker, restarted, opens. */
  open: () => Promise<AclStore>
  /**
   * What another broker sharing the ACLs opens (etcd); for the embedded file store, which one
   * broker alone opens, another user of the same open store (its handlers and its authorizer).
   */
  peer: (first: AclStore) => Promise<AclStore>
  cleanup: () => Promise<void>
}

function binding (over: Partial<AclBinding> = {}): AclBinding {
  return {
    resourceType: ResourceType.TOPIC,
    resourceName: 'orders',
    patternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: AclOperation.WRITE,
    permissionType: AclPermission.ALLOW,
    ...over
  }
}

const keys = (bindings: readonly AclBinding[]): string[] => bindings.map(aclKey).sort()

export function aclConformance (name: string, make: () => Promise<AclSubject>): void {
  describe(`AclStore conformance: ${name}`, () => {
    const test = storeCase(make)

    test('create makes bindings visible at once and keeps one copy of each', async (_s, a) => {
      const write = binding()
      const read = binding({ operation: AclOperation.READ, permissionType: AclPermission.DENY, patternType: PatternType.PREFIXED, resourceName: 'ord' })
      await a.create([write, read])
      await a.create([write])
      assert.deepEqual(keys(a.list()), keys([write, read]))
    })

    test('remove deletes exactly the given bindings and answers the ones that existed', async (_s, a) => {
      const kept = binding({ principal: 'User:bob' })
      const gone = binding()
      await a.create([kept, gone])
      const removed = await a.remove([gone, binding({ principal: 'User:nobody' }), gone])
      assert.deepEqual(keys(removed), keys([gone]))
      assert.deepEqual(keys(a.list()), keys([kept]))
      assert.deepEqual(await a.remove([gone]), [])
    })

    test('a change through one store reaches another store and its listener', async (s, a) => {
      const b = await s.peer(a)
      try {
        const seen: number[] = []
        b.subscribe((all) => seen.push(all.length))
        await a.create([binding(), binding({ resourceType: ResourceType.GROUP, resourceName: 'g1', operation: AclOperation.READ })])
        await waitFor(() => b.list().length === 2, 10_000, { message: 'the second store seeing both bindings' })
        assert.ok(seen.includes(2), `listener saw ${JSON.stringify(seen)}`)
        await b.remove([binding()])
        await waitFor(() => a.list().length === 1, 10_000, { message: 'the first store seeing the removal' })
        assert.equal(a.list()[0]?.resourceName, 'g1')
      } finally {
        await b.close()
      }
    })

    test('bindings survive closing and reopening the store', async (s, a) => {
      const all = [binding(), binding({ resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation: AclOperation.ALTER, principal: 'User:*' })]
      await a.create(all)
      await a.close()
      const again = await s.open()
      try {
        assert.deepEqual(keys(again.list()), keys(all))
      } finally {
        await again.close()
      }
    })
  })
}

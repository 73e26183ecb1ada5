// The AclStore suite on the embedded stores: the file store (each open is the broker restarting
// on the same log dir) and the key-value store over one shared MemoryKv.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@brook/common'
import { type AclStore, FileAclStore, KvAclStore, MemoryKv } from '../src/index.js'
import { aclConformance } from './acl-conformance.js'

aclConformance('embedded file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-acls-'))
  return {
    open: async () => await FileAclStore.open(dir),
    peer: async (first) => ({ ...bound(first), close: async () => {} }),
    cleanup: async () => { await rm(dir, { recursive: true, force: true }) } }
})

aclConformance('key-value over MemoryKv', async () => {
  const kv = new MemoryKv()
  return {
    open: async () => await KvAclStore.open(kv, { prefix: '/brook', logger: silentLogger, ownsBackend: false }),
    peer: async () => await KvAclStore.open(kv, { prefix: '/brook', logger: silentLogger, ownsBackend: false }),
    cleanup: async () => { await kv.close() }
  }
})

/** The store's methods, bound: a second handle on one open store. */
function bound (store: AclStore): AclStore {
  return {
    list: () => store.list(),
    create: async (b) => await store.create(b),
    remove: async (b) => await store.remove(b),
    subscribe: (l) => store.subscribe(l),
    close: async () => await store.close()
  }
}

// The ClientQuotaStore suite on the embedded stores: the file store (each open is the broker
// restarting on the same log dir) and the key-value store over one shared MemoryKv.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@brook/common'
import { FileClientQuotaStore, KvClientQuotaStore, MemoryKv, type ClientQuotaStore } from '../src/index.js'
import { quotaConformance } from './quota-conformance.js'

/** A second handle on one open store, whose close leaves the store open. */
function handle (store: ClientQuotaStore): ClientQuotaStore {
  return {
    records: () => store.records(),
    valuesOf: (entity) => store.valuesOf(entity),
    hasKey: (key) => store.hasKey(key),
    apply: async (changes) => await store.apply(changes),
    close: async () => {}
  }
}

quotaConformance('embedded file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-quota-'))
  return {
    open: async () => await FileClientQuotaStore.open(dir),
    peer: async (first) => handle(first),
    cleanup: async () => { await rm(dir, { recursive: true, force: true }) }
  }
})

quotaConformance('key-value over MemoryKv', async () => {
  const kv = new MemoryKv()
  const open = async (): Promise<ClientQuotaStore> => await KvClientQuotaStore.open(kv, { prefix: '/brook', logger: silentLogger, ownsBackend: false })
  return { open, peer: open, cleanup: async () => { await kv.close() } }
})

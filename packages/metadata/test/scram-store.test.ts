// The ScramRecordStore suite on the embedded stores: the file store (each open is the broker
// restarting on the same log dir) and the key-value store over one shared MemoryKv.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@brook/common'
import { FileScramStore, KvScramStore, MemoryKv, type ScramRecordStore } from '../src/index.js'
import { scramConformance } from './scram-conformance.js'

/** A second handle on one open store, whose close leaves the store open. */
function handle (store: ScramRecordStore): ScramRecordStore {
  return {
    get: (user, mechanism) => store.get(user, mechanism),
    users: () => store.users(),
    apply: async (changes) => await store.apply(changes),
    close: async () => {}
  }
}

scramConformance('embedded file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-scram-'))
  return {
    open: async () => await FileScramStore.open(dir),
    peer: async (first) => handle(first),
    cleanup: async () => { await rm(dir, { recursive: true, force: true }) }
  }
})

scramConformance('key-value over MemoryKv', async () => {
  const kv = new MemoryKv()
  const open = async (): Promise<ScramRecordStore> => await KvScramStore.open(kv, { prefix: '/brook', logger: silentLogger, ownsBackend: false })
  return { open, peer: open, cleanup: async () => { await kv.close() } }
})

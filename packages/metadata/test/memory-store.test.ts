// The conformance suite against the embedded single-node store: several clients over one
// in-memory key-value backend, as several sessions inside one broker process would share it.
import { silentLogger } from '@brook/common'
import { type KvBackend, KvMetadataStore, MemoryKv } from '../src/index.js'
import { conformance } from './conformance.js'

/** A client's handle on the shared backend: closing it leaves the backend to the others. */
function client (kv: MemoryKv): KvBackend {
  return {
    limits: kv.limits,
    range: async (prefix) => await kv.range(prefix),
    get: async (key) => await kv.get(key),
    txn: async (txn) => await kv.txn(txn),
    grantLease: async (ttl) => await kv.grantLease(ttl),
    keepAlive: async (lease) => await kv.keepAlive(lease),
    revokeLease: async (lease) => await kv.revokeLease(lease),
    watch: async (prefix, from, handler) => await kv.watch(prefix, from, handler),
    close: async () => {}
  }
}

conformance('embedded (memory)', async () => {
  const kv = new MemoryKv()
  return {
    sessionTimeoutMs: 1000,
    open: async () => await KvMetadataStore.open(client(kv), {
      prefix: '/brook', leaseTtlSeconds: 1, heartbeatIntervalMs: 200, requestTimeoutMs: 5000, logger: silentLogger
    }),
    cleanup: async () => { await kv.close() }
  }
})

// The conformance suite against the embedded single-node store: several clients over one
// in-memory key-value backend, as several sessions inside one broker process would share it.
import { silentLogger } from '@brook/common'
import { KvMetadataStore, MemoryKv } from '../src/index.js'
import { conformance } from './conformance.js'

conformance('embedded (memory)', async () => {
  const kv = new MemoryKv()
  return {
    sessionTimeoutMs: 1000,
    open: async () => await KvMetadataStore.open(kv.client(), {
      prefix: '/brook', leaseTtlSeconds: 1, heartbeatIntervalMs: 200, requestTimeoutMs: 5000, logger: silentLogger
    }),
    cleanup: async () => { await kv.close() }
  }
})

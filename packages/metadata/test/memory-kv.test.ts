// The key-value seam's conformance suite on the embedded backend.
import { MemoryKv } from '../src/index.js'
import { kvConformance } from './kv-conformance.js'

kvConformance('memory', async () => {
  const kv = new MemoryKv()
  return {
    kv,
    prefix: '/kv-test',
    compact: async (revision) => { kv.compact(revision) },
    cleanup: async () => { await kv.close() }
  }
})

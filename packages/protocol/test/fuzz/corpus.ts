// The fuzzers' seeds. Request frames: every golden frame real clients sent (test/fixtures/golden,
// captured by the testkit), plus one valid encoding of every api at every version the schemas
// know, so that every request decoder at every version is reached even where no client was
// captured. Record batches: the batches inside the golden Produce frames, plus batches built here
// with every codec, with and without producer ids, transactional and not.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { apis, apiByKey } from '../../src/messages/index.js'
import { decodeRequestHeader, encodeRequestFrame } from '../../src/header.js'
import { decodeRequest } from '../../src/schema/codec.js'
import { Reader } from '../../src/primitives/reader.js'
import { buildBatchSync } from '../../src/records/builder.js'
import { Compression } from '../../src/records/record-batch.js'
import { ApiKey } from '../../src/api-keys.js'
import { prng } from '@brook/common'
import { sampleMessage } from '../schema/sample.js'

// Fixtures are not compiled: read them from the source tree (dist/test/fuzz -> test/fixtures).
const GOLDEN_DIR = fileURLToPath(new URL('../../../test/fixtures/golden/', import.meta.url))

/** Whole golden request frames (size prefix included), by file name order. */
function goldenFrames (): Buffer[] {
  return readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.hex')).sort()
    .map((f) => Buffer.from(readFileSync(GOLDEN_DIR + f, 'utf8').replace(/\s+/g, ''), 'hex'))
}

/** One valid request frame per api and version (the schemas' whole validVersions range). */
function sampledFrames (seed = 1): Buffer[] {
  const out: Buffer[] = []
  for (const api of apis) {
    for (let v = api.validVersions.min; v <= api.validVersions.max; v++) {
      const { value } = sampleMessage(api.request, v, prng(seed * 1000 + api.key * 50 + v))
      out.push(Buffer.concat(encodeRequestFrame(v + 1, 'fuzz', api, v, value)))
    }
  }
  return out
}

export function requestSeeds (): Buffer[] {
  return [...goldenFrames(), ...sampledFrames()]
}

/** The records of every partition of a golden Produce frame at v3+ (record batches, magic 2). */
function goldenBatches (): Buffer[] {
  const out: Buffer[] = []
  for (const frame of goldenFrames()) {
    const reader = new Reader(frame, 4)
    const header = decodeRequestHeader(reader)
    if (header.apiKey !== ApiKey.Produce || header.apiVersion < 3) continue
    const api = apiByKey(header.apiKey)
    if (api === undefined) continue
    const body = decodeRequest(api, header.apiVersion, reader) as { topicData: Array<{ partitionData: Array<{ records: Buffer | null }> }> }
    for (const t of body.topicData) for (const p of t.partitionData) if (p.records !== null) out.push(Buffer.from(p.records))
  }
  return out
}

function builtBatches (): Buffer[] {
  const out: Buffer[] = []
  const records = [
    { key: 'k', value: 'v'.repeat(40), headers: [{ key: 'h', value: '1' }], timestamp: 1700000000000n },
    { key: null, value: 'second', timestamp: 1700000000007n },
    { value: Buffer.alloc(300, 7) }
  ]
  for (const compression of [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd]) {
    out.push(buildBatchSync({ records, compression, baseTimestamp: 1700000000000n }))
    out.push(buildBatchSync({ records: records.slice(0, 1), compression, producerId: 42n, producerEpoch: 1, baseSequence: 5, transactional: true, baseTimestamp: 1700000000000n }))
  }
  // Two batches back to back (Produce before v3 rules, and the storage's own appends).
  const one = buildBatchSync({ records: records.slice(1, 2), baseTimestamp: 1700000000000n })
  out.push(Buffer.concat([one, one]))
  return out
}

export function batchSeeds (): Buffer[] {
  return [...goldenBatches(), ...builtBatches()]
}

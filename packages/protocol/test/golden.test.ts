// Golden bytes: requests exactly as real clients sent them (kcat/librdkafka 2.0, librdkafka 2.15,
// confluent-kafka-python, kafka-python, kafkajs, @platformatic/kafka and its per-version API
// functions, Brook's client), run-dependent values normalised, captured by the testkit's
// test/clients/golden-*.test.ts (BROOK_WRITE_GOLDEN=1) and stored as hex in
// fixtures/golden/<client>-<api>-v<N>.hex (whole frame, size prefix included). Each must decode
// with the header and generic codec, consume every byte, and encode back to the same bytes.
// Which advertised versions they cover is checked in the testkit (it knows what the broker serves).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decodeRequestHeader, encodeRequestFrame } from '../src/header.js'
import { decodeRequest } from '../src/schema/codec.js'
import { apiByKey } from '../src/messages/index.js'
import { ApiKey } from '../src/api-keys.js'
import { Reader } from '../src/primitives/reader.js'

// Fixtures are not compiled: read them from the source tree (dist/test -> test/fixtures).
const dir = fileURLToPath(new URL('../../test/fixtures/golden/', import.meta.url))
// Fixture names spell the api in kebab case: ApiVersions is api-versions.
const API_KEYS: Record<string, number> = Object.fromEntries(
  Object.entries(ApiKey).map(([name, key]) => [name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase(), key])
)
const NAME = /^([a-z]+)-([a-z-]+)-v(\d+)\.hex$/

const files = readdirSync(dir).filter((f) => f.endsWith('.hex')).sort()

test('golden fixtures are named after known apis and come from several clients', { timeout: 10_000 }, () => {
  const unknown = files.filter((f) => API_KEYS[NAME.exec(f)?.[2] ?? ''] === undefined)
  assert.deepEqual(unknown, [])
  const apis = new Set(files.map((f) => NAME.exec(f)?.[2]))
  for (const api of ['api-versions', 'metadata', 'produce', 'fetch']) assert.ok(apis.has(api), `a fixture of ${api}`)
  const clients = new Set(files.map((f) => NAME.exec(f)?.[1]))
  assert.ok(clients.size >= 3, `fixtures from ${[...clients].join(', ')}`)
})

for (const file of files) {
  test(`golden ${file}: decodes completely and re-encodes to the same bytes`, { timeout: 10_000 }, () => {
    const match = NAME.exec(file)
    assert.ok(match !== null, `fixture name ${file}`)
    const frame = Buffer.from(readFileSync(dir + file, 'utf8').replace(/\s+/g, ''), 'hex')
    assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix')

    const reader = new Reader(frame, 4)
    const header = decodeRequestHeader(reader)
    assert.equal(header.apiKey, API_KEYS[match[2] ?? ''])
    assert.equal(header.apiVersion, Number(match[3]))
    const api = apiByKey(header.apiKey)
    assert.ok(api !== undefined)
    const body = decodeRequest(api, header.apiVersion, reader)
    assert.equal(reader.remaining, 0, 'the body is consumed exactly')

    if (header.apiKey === API_KEYS.produce) {
      // The capture sent records to the topic golden-<client> (named, or by id from v13): a record
      // batch (magic 2) from v3, legacy messages (magic 0 or 1) before.
      const produce = body as { topicData: Array<{ name: string, topicId?: string, partitionData: Array<{ records: Buffer | null }> }> }
      if (header.apiVersion < 13) assert.equal(produce.topicData[0]?.name, `golden-${match[1]}`)
      else assert.notEqual(produce.topicData[0]?.topicId, '00000000-0000-0000-0000-000000000000')
      const magic = produce.topicData[0]?.partitionData[0]?.records?.readInt8(16)
      if (header.apiVersion >= 3) assert.equal(magic, 2)
      else assert.ok(magic === 0 || magic === 1, `magic ${magic}`)
    }

    const again = Buffer.concat(encodeRequestFrame(header.correlationId, header.clientId, api, header.apiVersion, body))
    assert.equal(again.toString('hex'), frame.toString('hex'))
  })
}

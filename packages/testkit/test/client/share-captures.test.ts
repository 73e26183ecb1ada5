// The share consumer's requests beside librdkafka 2.15's share consumer (rd_kafka_share_*): both
// read one topic through a capturing proxy, Brook's with ApiVersions capped at the versions
// librdkafka used. The first ShareGroupHeartbeat and the first ShareFetch of each decode to the
// same fields with the same values, except the per-client settings listed below (only their
// shape must match); every captured share request round-trips byte for byte through the codec.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client } from '@brook/client'
import {
  apiByKey, decodeRequest, decodeRequestHeader, Reader, shareAcknowledgeApi, shareFetchApi, shareGroupHeartbeatApi
} from '@brook/protocol'
import { type CapturedRequest, roundTripRequestFrame, startCaptureProxy, startShareConsumer, startTestBroker, waitFor } from '@brook/testkit'
import { SHARE_BROKER_CONFIG, alterGroupConfigs, prepareQueue } from '../share/helpers.js'

const SHARE_APIS = [shareGroupHeartbeatApi.key, shareFetchApi.key, shareAcknowledgeApi.key]

// Paths whose values each client chooses (fetch sizes and waits, max.poll.records) or that differ per run (ids).
const CLIENT_CHOICES: Record<number, Set<string>> = {
  [shareGroupHeartbeatApi.key]: new Set(['groupId', 'memberId', 'rackId']),
  [shareFetchApi.key]: new Set(['groupId', 'memberId', 'maxWaitMs', 'minBytes', 'maxBytes', 'maxRecords', 'batchSize'])
}

function body (r: CapturedRequest): Record<string, unknown> {
  const reader = new Reader(r.frame, 4)
  const header = decodeRequestHeader(reader)
  return decodeRequest(apiByKey(header.apiKey)!, header.apiVersion, reader) as Record<string, unknown>
}

function kind (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  return typeof v
}

function diff (a: unknown, b: unknown, path: string, loose: Set<string>, out: string[]): void {
  if (loose.has(path) && (kind(a) === kind(b) || a === null || b === null)) return
  if (kind(a) !== kind(b)) { out.push(`${path}: ${kind(a)} vs ${kind(b)}`); return }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) { out.push(`${path}: ${a.length} vs ${b.length} entries`); return }
    a.forEach((x, i) => diff(x, b[i], `${path}[]`, loose, out))
  } else if (typeof a === 'object' && a !== null) {
    const bo = b as Record<string, unknown>
    for (const k of new Set([...Object.keys(a), ...Object.keys(bo)])) diff((a as Record<string, unknown>)[k], bo[k], path === '' ? k : `${path}.${k}`, loose, out)
  } else if (a !== b) {
    out.push(`${path}: ${String(a)} vs ${String(b)}`)
  }
}

test('brook\'s share requests match librdkafka 2.15\'s at the same versions', { timeout: 180_000 }, async () => {
  const proxy = await startCaptureProxy()
  const broker = await startTestBroker({ ...SHARE_BROKER_CONFIG, 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` })
  proxy.setTarget('127.0.0.1', broker.port)
  let rdk: Awaited<ReturnType<typeof startShareConsumer>> | null = null
  try {
    await prepareQueue(broker.bootstrap, 'cap', 'cap-rdk', 20)
    await alterGroupConfigs(broker.bootstrap, 'cap-brook', {})
    const firstOf = (from: number, apiKey: number): CapturedRequest | undefined => proxy.requests.slice(from).find((r) => r.apiKey === apiKey)

    const rdkFrom = proxy.requests.length
    rdk = await startShareConsumer({ bootstrap: proxy.bootstrap, group: 'cap-rdk', topic: 'cap' })
    const started = rdk
    await waitFor(() => started.confirmedAccepted().size === 20, 120_000, { message: 'librdkafka accepted every record' })
    await rdk.stop()
    const theirs = proxy.requests.slice(rdkFrom).filter((r) => SHARE_APIS.includes(r.apiKey))
    const versions = new Map(theirs.map((r) => [r.apiKey, r.apiVersion]))
    assert.ok(versions.has(shareGroupHeartbeatApi.key) && versions.has(shareFetchApi.key), 'librdkafka sent ShareGroupHeartbeat and ShareFetch')

    proxy.setVersionCaps(versions)
    const brookFrom = proxy.requests.length
    const consumer = new Client({ brokers: [proxy.bootstrap] }).shareConsumer({ groupId: 'cap-brook' })
    consumer.subscribe(['cap'])
    let got = 0
    await waitFor(async () => { got += (await consumer.poll(500)).length; return got === 20 }, 60_000, { message: 'brook read every record' })
    await consumer.close()
    const ours = proxy.requests.slice(brookFrom).filter((r) => SHARE_APIS.includes(r.apiKey))

    const failures: string[] = []
    for (const r of [...theirs, ...ours]) {
      if (!roundTripRequestFrame(r.frame).equals(r.frame)) failures.push(`api ${r.apiKey} v${r.apiVersion}: a frame does not round-trip byte for byte`)
    }
    for (const r of ours) if (r.apiVersion !== versions.get(r.apiKey) && versions.has(r.apiKey)) failures.push(`api ${r.apiKey}: brook sent v${r.apiVersion}, librdkafka v${versions.get(r.apiKey)}`)
    const firstFetch = body(firstOf(rdkFrom, shareFetchApi.key)!) as { shareSessionEpoch: number, topics: Array<{ partitions: unknown[] }> }
    assert.equal(firstFetch.shareSessionEpoch, 0)
    assert.ok(firstFetch.topics.length === 1 && firstFetch.topics[0]!.partitions.length === 1, 'the compared ShareFetch names the partition')
    for (const apiKey of [shareGroupHeartbeatApi.key, shareFetchApi.key]) {
      const reference = firstOf(rdkFrom, apiKey)!
      const own = firstOf(brookFrom, apiKey)!
      const differences: string[] = []
      diff(body(reference), body(own), '', CLIENT_CHOICES[apiKey]!, differences)
      for (const d of differences) failures.push(`${apiByKey(apiKey)!.name} v${reference.apiVersion}: ${d}`)
    }
    assert.deepEqual(failures, [])
  } finally {
    await rdk?.stop()
    await broker.close()
    await proxy.close()
  }
})

// The share consumer's requests on the wire (through a capture proxy): ShareGroupHeartbeat joins
// at epoch 0 with a client-made member id and leaves at -1; the first ShareFetch opens the share
// session (epoch 0, no acknowledgements), later ones count the epoch up by one and carry the
// acknowledgements of the previous poll (ascending batches); commitSync is a ShareAcknowledge in
// the session; close() ends it with ShareAcknowledge epoch -1.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, type ShareMessage } from '@brook/client'
import {
  type ApiSchema, decodeRequest, decodeRequestHeader, Reader, shareAcknowledgeApi, type ShareAcknowledgeRequest,
  shareFetchApi, type ShareFetchRequest, shareGroupHeartbeatApi, type ShareGroupHeartbeatRequest
} from '@brook/protocol'
import { type CapturedRequest, startCaptureProxy, startTestBroker } from '@brook/testkit'
import { SHARE_BROKER_CONFIG, prepareQueue, until } from '../share/helpers.js'

function decoded<T> (r: CapturedRequest, api: ApiSchema<T, unknown>): T {
  const reader = new Reader(r.frame.subarray(4))
  const header = decodeRequestHeader(reader)
  return decodeRequest(api, header.apiVersion, reader)
}

test('share consumer on the wire: heartbeat epochs, share session epochs, piggy-backed acknowledgements, closing', { timeout: 120_000 }, async () => {
  const proxy = await startCaptureProxy()
  const broker = await startTestBroker({ ...SHARE_BROKER_CONFIG, 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` })
  proxy.setTarget('127.0.0.1', broker.port)
  const count = 30
  try {
    await prepareQueue(broker.bootstrap, 'wire', 'wire-group', count)
    const consumer = new Client({ brokers: [proxy.bootstrap] }).shareConsumer({ groupId: 'wire-group', acknowledgementMode: 'explicit', maxRecords: 10 })
    consumer.subscribe(['wire'])
    const got: ShareMessage[] = []
    let polls = 0
    await until('every record', async () => {
      const messages = await consumer.poll(1000)
      polls++
      for (const m of messages) consumer.acknowledge(m, m.offset % 3n === 0n ? 'reject' : 'accept')
      got.push(...messages)
      if (polls === 3) await consumer.commitSync()
      return got.length >= count
    }, 60_000)
    await consumer.close()

    const of = <T>(api: ApiSchema<T, unknown>): Array<{ version: number, body: T }> =>
      proxy.requests.filter((r) => r.apiKey === api.key).map((r) => ({ version: r.apiVersion, body: decoded(r, api) }))
    const heartbeats = of<ShareGroupHeartbeatRequest>(shareGroupHeartbeatApi)
    assert.ok(heartbeats.every((h) => h.version === 1), 'ShareGroupHeartbeat v1')
    assert.equal(heartbeats[0]!.body.memberEpoch, 0, 'joins at epoch 0')
    assert.equal(heartbeats[0]!.body.memberId.length, 22, 'with a member id it made (a UUID in base64url)')
    assert.deepEqual(heartbeats[0]!.body.subscribedTopicNames, ['wire'])
    assert.equal(heartbeats.at(-1)!.body.memberEpoch, -1, 'leaves at epoch -1')
    assert.ok(heartbeats.every((h) => h.body.memberId === heartbeats[0]!.body.memberId), 'one member id throughout')

    const fetches = of<ShareFetchRequest>(shareFetchApi)
    const acks = of<ShareAcknowledgeRequest>(shareAcknowledgeApi)
    assert.ok(fetches.every((f) => f.version === 2) && acks.every((a) => a.version === 2), 'ShareFetch and ShareAcknowledge v2')
    assert.equal(fetches[0]!.body.shareSessionEpoch, 0, 'the first ShareFetch opens the session')
    assert.ok(fetches[0]!.body.topics.every((t) => t.partitions.every((p) => p.acknowledgementBatches.length === 0)), 'with no acknowledgements')
    assert.ok(fetches.every((f) => f.body.maxRecords === 10))
    // One session: ShareFetch and ShareAcknowledge requests share the epoch sequence 0, 1, 2, ... up to the closing -1.
    const epochs = proxy.requests.filter((r) => r.apiKey === shareFetchApi.key || r.apiKey === shareAcknowledgeApi.key)
      .map((r) => r.apiKey === shareFetchApi.key ? decoded(r, shareFetchApi).shareSessionEpoch : decoded(r, shareAcknowledgeApi).shareSessionEpoch)
    assert.deepEqual(epochs, [...epochs.slice(0, -1).map((_, i) => i), -1], `epochs ${epochs.join(',')}`)
    assert.equal(acks.at(-1)!.body.shareSessionEpoch, -1, 'close() ends the session with ShareAcknowledge')
    assert.ok(acks.length >= 2, 'commitSync and close each sent a ShareAcknowledge')

    // Every offset acknowledged exactly once over all requests, with the type chosen for it.
    const sent = new Map<bigint, number>()
    const batches = [
      ...fetches.flatMap((f) => f.body.topics.flatMap((t) => t.partitions.flatMap((p) => p.acknowledgementBatches))),
      ...acks.flatMap((a) => a.body.topics.flatMap((t) => t.partitions.flatMap((p) => p.acknowledgementBatches)))
    ]
    for (const b of batches) {
      for (let o = b.firstOffset; o <= b.lastOffset; o++) {
        assert.ok(!sent.has(o), `offset ${o} acknowledged once`)
        sent.set(o, b.acknowledgeTypes.length === 1 ? b.acknowledgeTypes[0]! : b.acknowledgeTypes[Number(o - b.firstOffset)]!)
      }
    }
    assert.equal(sent.size, count)
    for (const [o, type] of sent) assert.equal(type, o % 3n === 0n ? 3 : 1, `offset ${o}: ${o % 3n === 0n ? 'REJECT' : 'ACCEPT'}`)
    assert.ok(fetches.some((f) => f.body.topics.some((t) => t.partitions.some((p) => p.acknowledgementBatches.length > 0))), 'acknowledgements rode on a ShareFetch')
  } finally {
    await broker.close()
    await proxy.close()
  }
})

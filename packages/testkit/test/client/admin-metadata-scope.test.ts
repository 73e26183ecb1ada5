// An admin's describeTopics asks Metadata for the topics it names and no others, whatever the
// admin created or described before: describing one topic of a large cluster costs that topic
// (a Metadata request naming every topic the admin had created made one 10,000-partition topic
// cost as much as all ten of a 100,000-partition broker). Seen on the wire through a capture proxy.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client } from '@brook/client'
import { decodeRequest, decodeRequestHeader, metadataApi, type MetadataRequest, Reader } from '@brook/protocol'
import { startCaptureProxy, startTestBroker } from '@brook/testkit'

test('describeTopics names only the topics asked for, and keeps the others in the snapshot', { timeout: 60_000 }, async () => {
  const proxy = await startCaptureProxy()
  const broker = await startTestBroker({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` })
  proxy.setTarget('127.0.0.1', broker.port)
  const admin = new Client({ brokers: [proxy.bootstrap] }).admin()
  try {
    await admin.createTopics([{ topic: 'scope-a', numPartitions: 2 }, { topic: 'scope-b', numPartitions: 3 }, { topic: 'scope-c', numPartitions: 1 }])
    const namesAsked = async (names: string[]): Promise<Array<string[] | null>> => {
      const from = proxy.requests.length
      const described = await admin.describeTopics(names)
      assert.deepEqual(described.map((t) => [t.name, t.partitions.length]), names.map((n) => [n, n === 'scope-a' ? 2 : n === 'scope-b' ? 3 : 1]))
      return proxy.requests.slice(from).filter((r) => r.apiKey === metadataApi.key).map((r) => {
        const reader = new Reader(r.frame.subarray(4))
        const header = decodeRequestHeader(reader)
        const request: MetadataRequest = decodeRequest(metadataApi, header.apiVersion, reader)
        return request.topics === null || request.topics === undefined ? null : request.topics.map((t) => t.name ?? '')
      })
    }
    assert.deepEqual(await namesAsked(['scope-b']), [['scope-b']])
    assert.deepEqual(await namesAsked(['scope-a']), [['scope-a']])
    assert.deepEqual(await namesAsked(['scope-c', 'scope-a']), [['scope-c', 'scope-a']])
    // Each answer is merged: what earlier describes learned is still known.
    assert.deepEqual([...admin.cluster.metadata!.topics.keys()].sort(), ['scope-a', 'scope-b', 'scope-c'])
    await assert.rejects(admin.describeTopics(['scope-missing']), /UNKNOWN_TOPIC_OR_PARTITION|topic scope-missing/)
  } finally {
    await admin.close()
    await broker.close()
    await proxy.close()
  }
})

// @brook/client's connection layer against a Brook broker: ApiVersions negotiation through a proxy
// that narrows Brook's ApiVersions answer to what Kafka 2.1 and 3.0 offer (and answers
// ApiVersions above their max the way those brokers do: a v0 body with UNSUPPORTED_VERSION), no
// common version, pipelining, request timeouts, AbortSignal, bootstrap fail-over, and TLS
// through a TLS-terminating proxy.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net'
import tls from 'node:tls'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  apiVersionsApi, decodeResponseFrame, encodeResponseFrame, FrameSplitter, metadataApi, type ApiVersionsResponse
} from '@brook/protocol'
import { AbortError, Client, Connection, TimeoutError, UnsupportedVersionError } from '@brook/client'
import { assertSucceeded, runCommand, startTestBroker, tempDir, type TestBroker } from '@brook/testkit'

type Profile = Record<number, [number, number]>

// ApiVersions ranges of real Kafka releases, for the APIs the client uses.
const KAFKA_2_1: Profile = {
  0: [0, 7], 1: [0, 10], 2: [0, 4], 3: [0, 7], 8: [0, 6], 9: [0, 5], 10: [0, 2], 11: [0, 4], 12: [0, 2], 13: [0, 2], 14: [0, 2],
  15: [0, 2], 16: [0, 2], 17: [0, 1], 18: [0, 2], 19: [0, 3], 20: [0, 3], 21: [0, 1], 22: [0, 1], 24: [0, 1], 25: [0, 1], 26: [0, 1],
  28: [0, 2], 32: [0, 2], 33: [0, 1], 36: [0, 0], 37: [0, 1], 42: [0, 1]
}
const KAFKA_3_0: Profile = {
  0: [0, 9], 1: [0, 12], 2: [0, 7], 3: [0, 11], 8: [0, 8], 9: [0, 8], 10: [0, 4], 11: [0, 7], 12: [0, 4], 13: [0, 4], 14: [0, 5],
  15: [0, 5], 16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7], 20: [0, 6], 21: [0, 2], 22: [0, 4], 24: [0, 3], 25: [0, 3], 26: [0, 3],
  28: [0, 3], 32: [0, 4], 33: [0, 2], 36: [0, 2], 37: [0, 3], 42: [0, 2], 44: [0, 1], 47: [0, 0], 60: [0, 0]
}

interface NarrowingProxy { port: number, sent: Array<{ apiKey: number, apiVersion: number }>, setTarget: (port: number) => void, close: () => Promise<void> }

/** Forwards to the broker, rewriting ApiVersions answers to the profile's ranges (intersected with Brook's). */
async function startNarrowingProxy (profile: Profile): Promise<NarrowingProxy> {
  let targetPort = 0
  const sent: Array<{ apiKey: number, apiVersion: number }> = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    sockets.add(client)
    const upstream = connect({ host: '127.0.0.1', port: targetPort })
    sockets.add(upstream)
    const apiVersionsRequests = new Map<number, number>()
    const fromClient = new FrameSplitter(1 << 30)
    const fromBroker = new FrameSplitter(1 << 30)
    const prefix = (frame: Buffer): Buffer => { const p = Buffer.alloc(4); p.writeInt32BE(frame.length); return p }
    client.on('data', (chunk: Buffer) => fromClient.push(chunk, (frame) => {
      const apiKey = frame.readInt16BE(0)
      const apiVersion = frame.readInt16BE(2)
      const correlationId = frame.readInt32BE(4)
      sent.push({ apiKey, apiVersion })
      if (apiKey === 18) {
        const max = profile[18]![1]
        if (apiVersion > max) {
          // What an older Kafka answers: an ApiVersions v0 body with UNSUPPORTED_VERSION and its own range.
          const body = Buffer.alloc(4 + 2 + 4 + 6)
          body.writeInt32BE(correlationId, 0)
          body.writeInt16BE(35, 4)
          body.writeInt32BE(1, 6)
          body.writeInt16BE(18, 10); body.writeInt16BE(0, 12); body.writeInt16BE(max, 14)
          client.write(Buffer.concat([prefix(body), body]))
          return
        }
        apiVersionsRequests.set(correlationId, apiVersion)
      }
      upstream.write(Buffer.concat([prefix(frame), frame]))
    }))
    upstream.on('data', (chunk: Buffer) => fromBroker.push(chunk, (frame) => {
      const correlationId = frame.readInt32BE(0)
      const version = apiVersionsRequests.get(correlationId)
      if (version === undefined) { client.write(Buffer.concat([prefix(frame), frame])); return }
      apiVersionsRequests.delete(correlationId)
      const body = decodeResponseFrame(frame, apiVersionsApi, version).body
      const narrowed: ApiVersionsResponse = {
        ...body,
        apiKeys: body.apiKeys.flatMap((k) => {
          const range = profile[k.apiKey]
          if (range === undefined) return []
          const min = Math.max(k.minVersion, range[0])
          const max = Math.min(k.maxVersion, range[1])
          return min <= max ? [{ apiKey: k.apiKey, minVersion: min, maxVersion: max }] : []
        })
      }
      for (const b of encodeResponseFrame(correlationId, apiVersionsApi, version, narrowed)) client.write(b)
    }))
    const end = (): void => { client.destroy(); upstream.destroy() }
    client.on('close', end); upstream.on('close', end)
    client.on('error', end); upstream.on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    sent,
    setTarget: (port) => { targetPort = port },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

let broker: TestBroker
before(async () => { broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0' }) })
after(async () => { await broker.close() })

for (const [name, profile] of [['Kafka 2.1', KAFKA_2_1], ['Kafka 3.0', KAFKA_3_0]] as const) {
  test(`negotiates ${name}'s versions and does a produce/group-consume round trip`, { timeout: 60_000 }, async () => {
    const proxy = await startNarrowingProxy(profile)
    const b = await startTestBroker({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}`, 'group.initial.rebalance.delay.ms': '0' })
    proxy.setTarget(b.port)
    try {
      const client = new Client({ brokers: [`127.0.0.1:${proxy.port}`] })
      const admin = client.admin()
      await admin.createTopics([{ topic: 'negotiated', numPartitions: 2 }])
      await admin.close()
      const producer = client.producer({ compression: 'gzip' })
      await producer.send({ topic: 'negotiated', messages: Array.from({ length: 20 }, (_, i) => ({ key: String(i), value: `v${i}` })) })
      await producer.close()
      const consumer = client.consumer({ groupId: 'negotiated-group', autoOffsetReset: 'earliest', maxWaitMs: 100 })
      consumer.subscribe({ topics: ['negotiated'] })
      const values = new Set<string>()
      for await (const batch of consumer) {
        for (const m of batch.messages) values.add(m.value!.toString())
        if (values.size === 20) break
      }
      await consumer.close()
      assert.equal(values.size, 20)
      // Every request after ApiVersions went at min(client max, broker max).
      const clientMax: Record<number, number> = { 0: 11, 1: 12, 3: 12, 11: 9, 14: 5, 8: 9, 9: 9, 10: 6, 22: 5, 19: 7 }
      for (const [key, max] of Object.entries(clientMax)) {
        const expected = Math.min(max, profile[Number(key)]![1])
        const used = new Set(proxy.sent.filter((r) => r.apiKey === Number(key)).map((r) => r.apiVersion))
        if (used.size > 0) assert.deepEqual([...used], [expected], `api ${key}`)
      }
      assert.ok(proxy.sent.some((r) => r.apiKey === 0), 'Produce was sent')
      // ApiVersions: first at the client's max (4); an older broker's v0 error makes it ask again at that broker's max.
      const av = proxy.sent.filter((r) => r.apiKey === 18).map((r) => r.apiVersion)
      assert.deepEqual(av.slice(0, 2), [4, profile[18]![1]])
    } finally {
      await b.close()
      await proxy.close()
    }
  })
}

test('no common version: a clear UnsupportedVersionError', { timeout: 30_000 }, async () => {
  const proxy = await startNarrowingProxy({ ...KAFKA_3_0, 0: [0, 2] })
  const b = await startTestBroker({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` })
  proxy.setTarget(b.port)
  try {
    const client = new Client({ brokers: [`127.0.0.1:${proxy.port}`] })
    const admin = client.admin()
    await admin.createTopics([{ topic: 'old', numPartitions: 1 }])
    await admin.close()
    const producer = client.producer()
    await assert.rejects(producer.send({ topic: 'old', messages: [{ value: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof UnsupportedVersionError)
      assert.match(err.message, /Produce versions 0-2 and this client speaks 3-13: no version in common/)
      return true
    })
    await producer.close()
  } finally {
    await b.close()
    await proxy.close()
  }
})

test('pipelined requests on one connection answer in order', { timeout: 30_000 }, async () => {
  const c = new Connection(broker.host, broker.port, { clientId: 'pipeline' })
  await c.connect()
  try {
    const results = await Promise.all(Array.from({ length: 200 }, async () => await c.request(metadataApi, { topics: [], allowAutoTopicCreation: false })))
    assert.equal(results.length, 200)
    for (const r of results) assert.equal(r.brokers[0]!.nodeId, broker.nodeId)
    assert.equal(c.inFlight, 0)
  } finally {
    c.close()
  }
})

test('request timeout and AbortSignal', { timeout: 30_000 }, async () => {
  // A server that accepts and never answers: connect fails when ApiVersions times out.
  const held = new Set<Socket>()
  const silent = createServer((s) => { held.add(s); s.on('error', () => s.destroy()) })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const port = (silent.address() as AddressInfo).port
  try {
    const started = Date.now()
    await assert.rejects(new Connection('127.0.0.1', port, { requestTimeoutMs: 300 }).connect(), TimeoutError)
    assert.ok(Date.now() - started < 5000)
    const controller = new AbortController()
    const pending = new Connection('127.0.0.1', port, { requestTimeoutMs: 10_000 }).connect(controller.signal)
    setTimeout(() => controller.abort(new Error('caller gave up')), 100)
    await assert.rejects(pending, AbortError)
  } finally {
    for (const s of held) s.destroy()
    await new Promise<void>((resolve) => silent.close(() => resolve()))
  }
  // An aborted request on a live connection: the caller is released, and the connection stays usable.
  const c = new Connection(broker.host, broker.port)
  await c.connect()
  const controller = new AbortController()
  controller.abort()
  await assert.rejects(c.request(metadataApi, { topics: [] }, { signal: controller.signal }), AbortError)
  const ok = await c.request(metadataApi, { topics: [] })
  assert.equal(ok.brokers.length, 1)
  c.close()
})

test('bootstrap skips an unreachable broker', { timeout: 30_000 }, async () => {
  const dead = createServer()
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve))
  const deadPort = (dead.address() as AddressInfo).port
  await new Promise<void>((resolve) => dead.close(() => resolve()))
  const client = new Client({ brokers: [`127.0.0.1:${deadPort}`, broker.bootstrap], retry: { retries: 2, initialRetryTimeMs: 50 } })
  const admin = client.admin()
  try {
    const cluster = await admin.describeCluster()
    assert.equal(cluster.brokers[0]!.nodeId, broker.nodeId)
  } finally {
    await admin.close()
  }
})

test('TLS: the client speaks through a TLS-terminating proxy with a private CA', { timeout: 30_000 }, async () => {
  const dir = await tempDir('brook-tls-')
  try {
    const key = join(dir.path, 'key.pem')
    const cert = join(dir.path, 'cert.pem')
    assertSucceeded('openssl', await runCommand('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { timeoutMs: 20_000 }))
    const pem = { key: await readFile(key), cert: await readFile(cert) }
    const server = tls.createServer(pem, (client) => {
      const upstream = connect({ host: broker.host, port: broker.port })
      client.pipe(upstream).pipe(client)
      const end = (): void => { client.destroy(); upstream.destroy() }
      client.on('error', end); upstream.on('error', end); client.on('close', end); upstream.on('close', end)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    try {
      const trusted = new Connection('localhost', port, { tls: { ca: pem.cert } })
      await trusted.connect()
      const r = await trusted.request(metadataApi, { topics: [] })
      assert.equal(r.brokers[0]!.nodeId, broker.nodeId)
      trusted.close()
      // Without the CA the handshake fails: TLS is really in use.
      await assert.rejects(new Connection('localhost', port, { tls: true }).connect(), /self[- ]signed|certificate/i)
    } finally {
      server.close()
    }
  } finally {
    await dir.cleanup()
  }
})

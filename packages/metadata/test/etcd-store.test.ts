// The conformance suite against a real etcd (Debian's etcd-server, started with its default
// limits on free loopback ports), plus what only etcd can show: a restart of etcd itself.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { silentLogger } from '@brook/common'
import { startEtcd, waitFor, type EtcdServer } from '@brook/testkit'
import { type AclStore, type ClusterMetadataStore, EtcdKv, MetadataError, metadataConfigFrom, openAclStore, openMetadataStore, openScramStore, type ScramRecordStore,
  openClientQuotaStore, type ClientQuotaStore } from '../src/index.js'
import { aclConformance } from './acl-conformance.js'
import { scramConformance } from './scram-conformance.js'
import { quotaConformance } from './quota-conformance.js'
import { conformance } from './conformance.js'
import { kvConformance } from './kv-conformance.js'

let etcd: EtcdServer | undefined
before(async () => { etcd = await startEtcd() })
after(async () => { await etcd?.close() })

function server (): EtcdServer {
  assert.ok(etcd !== undefined, 'etcd started')
  return etcd
}

/** A client on its own prefix, so that tests never see each other's keys. */
async function openClient (prefix: string): Promise<ClusterMetadataStore> {
  return await openMetadataStore(metadataConfigFrom({
    'etcd.endpoints': server().endpoint,
    'etcd.prefix': prefix,
    'broker.session.timeout.ms': '2000',
    'broker.heartbeat.interval.ms': '300'
  }), { logger: silentLogger })
}

kvConformance('etcd', async () => {
  const kv = new EtcdKv({ endpoints: [server().endpoint], requestTimeoutMs: 5000, logger: silentLogger })
  return {
    kv,
    prefix: `/kv-test-${randomUUID()}`,
    compact: async (revision) => {
      const res = await fetch(`${server().endpoint}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: String(revision), physical: true }) })
      assert.equal(res.status, 200, await res.text())
    },
    cleanup: async () => { await kv.close() }
  }
})

conformance('etcd', async () => {
  const prefix = `/brook-test-${randomUUID()}`
  return { sessionTimeoutMs: 2000, open: async () => await openClient(prefix), cleanup: async () => {} }
})

aclConformance('etcd', async () => {
  const config = metadataConfigFrom({ 'etcd.endpoints': server().endpoint, 'etcd.prefix': `/brook-acl-test-${randomUUID()}` })
  const open = async (): Promise<AclStore> => await openAclStore(config, { dir: '/nonexistent', logger: silentLogger })
  return { open, peer: open, cleanup: async () => {} }
})

scramConformance('etcd', async () => {
  const config = metadataConfigFrom({ 'etcd.endpoints': server().endpoint, 'etcd.prefix': `/brook-scram-test-${randomUUID()}` })
  const open = async (): Promise<ScramRecordStore> => await openScramStore(config, { dir: '/nonexistent', logger: silentLogger })
  return { open, peer: open, cleanup: async () => {} }
})

quotaConformance('etcd', async () => {
  const config = metadataConfigFrom({ 'etcd.endpoints': server().endpoint, 'etcd.prefix': `/brook-quota-test-${randomUUID()}` })
  const open = async (): Promise<ClientQuotaStore> => await openClientQuotaStore(config, { dir: '/nonexistent', logger: silentLogger })
  return { open, peer: open, cleanup: async () => {} }
})

describe('etcd store when etcd cannot be reached', () => {
  it('fails the open with an error instead of hanging', { timeout: 20_000 }, async () => {
    const config = metadataConfigFrom({ 'etcd.endpoints': '127.0.0.1:1' })
    await assert.rejects(openMetadataStore({ ...config, requestTimeoutMs: 1000 }, { logger: silentLogger }))
  })
})

describe('etcd store across an etcd restart', () => {
  it('reconnects, keeps sessions, and the watch resumes without losing or reordering a change', { timeout: 60_000 }, async () => {
    const prefix = `/brook-restart-${randomUUID()}`
    const watcher = await openClient(prefix)
    const writer = await openClient(prefix)
    try {
      const watching = await watcher.registerBroker({ brokerId: 1, incarnationId: randomUUID(), endpoints: [] })
      const writing = await writer.registerBroker({ brokerId: 2, incarnationId: randomUUID(), endpoints: [] })
      const t = await writing.createTopic({ name: 'across', replicas: [[2]] })
      await waitFor(() => watcher.snapshot().topics.has('across'), 10_000, { message: 'the watcher seeing the topic' })
      const epochs: number[] = []
      const revisions: number[] = []
      watcher.subscribe((u) => {
        const p = u.snapshot.topics.get('across')?.partitions[0]
        if (!u.topicsChanged.has('across') || p === undefined) return
        epochs.push(p.partitionEpoch)
        revisions.push(u.snapshot.revision)
      })
      let epoch = 0
      const bump = async (): Promise<void> => {
        await writing.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: epoch, isr: [2] })
        epoch++
      }
      for (let i = 0; i < 3; i++) await bump()

      await server().kill()
      await server().start()
      // The writer's first calls may meet a connection still coming back; a call that fails
      // this way never reached etcd (the partition epoch tells: a lost-but-applied change
      // would make the retry fail with INVALID_UPDATE_VERSION).
      for (let i = 0; i < 5; i++) {
        await waitFor(async () => {
          try {
            await bump()
            return true
          } catch (err) {
            if (err instanceof MetadataError && err.code === 'REQUEST_TIMED_OUT') return false
            throw err
          }
        }, 20_000, { message: 'write after the etcd restart', intervalMs: 100 })
      }
      await waitFor(() => watcher.snapshot().topics.get('across')?.partitions[0]?.partitionEpoch === 8, 20_000,
        { message: 'the watcher catching up after the restart' })
      assert.deepEqual(epochs, [1, 2, 3, 4, 5, 6, 7, 8], 'every change once, in order')
      for (let i = 1; i < revisions.length; i++) assert.ok((revisions[i] ?? 0) > (revisions[i - 1] ?? 0))
      // etcd restores leases with their full TTL after a restart: nobody was fenced.
      assert.equal(watching.fenced, null)
      assert.equal(writing.fenced, null)
      assert.deepEqual([...watcher.snapshot().brokers.keys()].sort(), [1, 2])
      // The watcher's own writes go through again.
      const block = await waitFor(async () => await watching.allocateProducerIds(), 10_000, { message: 'allocation after restart' })
      assert.equal(block.brokerId, 1)
    } finally {
      await watcher.close()
      await writer.close()
    }
  })
})

describe('opening the store while etcd is down', () => {
  it('keeps trying for etcd.connection.timeout.ms: etcd started late is found, none at all fails', { timeout: 60_000 }, async () => {
    const late = await startEtcd()
    try {
      await late.stop()
      const config = (timeoutMs: number): ReturnType<typeof metadataConfigFrom> => metadataConfigFrom({
        'etcd.endpoints': late.endpoint,
        'etcd.prefix': `/late-${randomUUID()}`,
        'etcd.connection.timeout.ms': String(timeoutMs)
      })
      const started = Date.now()
      await assert.rejects(openMetadataStore(config(1500), { logger: silentLogger }))
      assert.ok(Date.now() - started >= 1000, 'gave up only near the connection timeout')
      const opening = openMetadataStore(config(30_000), { logger: silentLogger })
      await new Promise((resolve) => setTimeout(resolve, 1500))
      await late.start()
      const store = await opening
      assert.equal(store.snapshot().brokers.size, 0)
      await store.close()
    } finally {
      await late.close()
    }
  })
})

// The metadata store conformance suite: the behaviours every ClusterMetadataStore must show,
// including the races a cluster produces (two controllers, two writers of one partition, a
// paused broker, a restarted broker). memory-store.test.ts and etcd-store.test.ts run it.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { waitFor } from '@brook/testkit'
import {
  type BrokerSession, type ClusterMetadataStore, type MetadataSnapshot, KvBrokerSession, MetadataError, NO_LEADER,
  PRODUCER_ID_BLOCK_SIZE
} from '../src/index.js'

export interface Subject {
  /** Another client of the same store (what one more broker process would open). */
  open: () => Promise<ClusterMetadataStore>
  /** The lease TTL sessions get, in ms: the longest a dead broker stays registered. */
  sessionTimeoutMs: number
  cleanup: () => Promise<void>
}

const TIMEOUT = 30_000

async function register (store: ClusterMetadataStore, brokerId: number, incarnationId: string = randomUUID()): Promise<BrokerSession> {
  return await store.registerBroker({
    brokerId,
    incarnationId,
    endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + brokerId, securityProtocol: 'PLAINTEXT' }],
    rack: `rack-${brokerId % 2}`
  })
}

async function rejectsWith (p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof MetadataError, `expected a MetadataError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    return true
  })
}

async function seen (store: ClusterMetadataStore, what: string, check: (s: MetadataSnapshot) => boolean): Promise<MetadataSnapshot> {
  return await waitFor(() => (check(store.snapshot()) ? store.snapshot() : null), 10_000, { message: what, intervalMs: 10 })
}

export function conformance (name: string, make: () => Promise<Subject>): void {
  describe(`ClusterMetadataStore conformance: ${name}`, () => {
    const test = (title: string, fn: (s: Subject, a: ClusterMetadataStore, b: ClusterMetadataStore) => Promise<void>): void => {
      it(title, { timeout: TIMEOUT }, async () => {
        const s = await make()
        const a = await s.open()
        const b = await s.open()
        try {
          await fn(s, a, b)
        } finally {
          await a.close()
          await b.close()
          await s.cleanup()
        }
      })
    }

    test('a registered broker appears in every client\'s snapshot with its endpoints, rack and epoch', async (_s, a, b) => {
      const session = await register(a, 1)
      const mine = a.snapshot().brokers.get(1)
      assert.ok(mine !== undefined, 'read your writes: the registering client sees itself at once')
      assert.equal(mine.brokerEpoch, session.brokerEpoch)
      assert.equal(mine.incarnationId, session.incarnationId)
      assert.equal(mine.rack, 'rack-1')
      assert.deepEqual(mine.endpoints, [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9001, securityProtocol: 'PLAINTEXT' }])
      const other = await seen(b, 'broker 1 on the other client', (snap) => snap.brokers.has(1))
      assert.deepEqual(other.brokers.get(1), mine)
      assert.equal(session.fenced, null)
    })

    test('two contenders for the controller: one wins, the other takes over with a higher epoch when it resigns', async (_s, a, b) => {
      const one = await register(a, 1)
      const two = await register(b, 2)
      const elections = [one.campaign(), two.campaign()]
      const first = await Promise.race(elections)
      await sleep(200)
      const settled = await Promise.allSettled(elections.map(async (p) => await Promise.race([p, sleep(0).then(() => 'pending')])))
      assert.equal(settled.filter((r) => r.status === 'fulfilled' && r.value !== 'pending').length, 1, 'exactly one controller')
      assert.equal(first.active, true)
      const firstSnap = await seen(b, 'controller elected', (snap) => snap.controller !== null)
      assert.deepEqual({ id: firstSnap.controller?.brokerId, epoch: firstSnap.controller?.epoch }, { id: first.brokerId, epoch: first.epoch })

      const loserSession = first.brokerId === 1 ? two : one
      const winnerSession = first.brokerId === 1 ? one : two
      await first.resign()
      const second = await (first.brokerId === 1 ? elections[1] : elections[0])
      assert.equal(second?.brokerId, loserSession.brokerId)
      assert.ok((second?.epoch ?? 0) > first.epoch, 'controller epochs only grow')
      await seen(a, 'old controller inactive', () => !first.active)

      // The deposed controller's fenced writes are refused by the store.
      const t = await winnerSession.createTopic({ name: 'fenced-by-controller', replicas: [[1, 2]] })
      await seen(a, 'topic on a', (snap) => snap.topics.has('fenced-by-controller'))
      await seen(b, 'topic on b', (snap) => snap.topics.has('fenced-by-controller'))
      await rejectsWith(winnerSession.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: 0, isr: [1] }, { controller: first }), 'NOT_CONTROLLER')
      assert.ok(second !== undefined)
      const changed = await loserSession.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: 0, isr: [2], leader: 2 }, { controller: second })
      assert.deepEqual([changed.leader, changed.leaderEpoch, changed.partitionEpoch], [2, 1, 1])
    })

    test('a topic is created with its configs and initial partition states; the name cannot be taken twice', async (_s, a, b) => {
      const one = await register(a, 1)
      await register(b, 2)
      await seen(a, 'both brokers', (snap) => snap.brokers.size === 2)
      const topic = await one.createTopic({ name: 'orders', configs: { 'retention.ms': '60000' }, replicas: [[1, 2, 3], [2, 1, 3]] })
      assert.match(topic.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      assert.deepEqual(topic.configs, { 'retention.ms': '60000' })
      assert.deepEqual(topic.partitions.map((p) => ({ ...p })), [
        { partition: 0, replicas: [1, 2, 3], leader: 1, leaderEpoch: 0, partitionEpoch: 0, isr: [1, 2], offlineReplicas: [], addingReplicas: [], removingReplicas: [] },
        { partition: 1, replicas: [2, 1, 3], leader: 2, leaderEpoch: 0, partitionEpoch: 0, isr: [2, 1], offlineReplicas: [], addingReplicas: [], removingReplicas: [] }
      ])
      const other = await seen(b, 'orders on the other client', (snap) => snap.topics.has('orders'))
      assert.deepEqual(other.topics.get('orders'), topic)
      assert.equal(other.topicsById.get(topic.id), other.topics.get('orders'))

      const two = await register(b, 3)
      const races = await Promise.allSettled([
        one.createTopic({ name: 'race', replicas: [[1]] }),
        two.createTopic({ name: 'race', replicas: [[3]] })
      ])
      assert.equal(races.filter((r) => r.status === 'fulfilled').length, 1, 'exactly one creation wins')
      const lost = races.find((r) => r.status === 'rejected')
      assert.ok(lost?.status === 'rejected' && lost.reason instanceof MetadataError && lost.reason.code === 'TOPIC_ALREADY_EXISTS')
      await rejectsWith(one.createTopic({ name: 'orders', replicas: [[1]] }), 'TOPIC_ALREADY_EXISTS')
      await rejectsWith(one.createTopic({ name: 'bad/name', replicas: [[1]] }), 'INVALID_TOPIC_EXCEPTION')
      await rejectsWith(one.createTopic({ name: 'dup', replicas: [[1, 1]] }), 'INVALID_REPLICA_ASSIGNMENT')
      await rejectsWith(one.createTopic({ name: 'none', replicas: [] }), 'INVALID_PARTITIONS')
    })

    test('partitions are added after the existing ones and appear at once; configs are replaced; both survive an ISR change', async (_s, a, b) => {
      const one = await register(a, 1)
      await register(b, 2)
      await seen(a, 'both brokers', (snap) => snap.brokers.size === 2)
      const t = await one.createTopic({ name: 'growing', configs: { 'retention.ms': '60000' }, replicas: [[1, 2]] })
      await one.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: 0, leaderEpoch: 0, isr: [1] })
      const grown = await one.addPartitions('growing', [[2, 1], [1, 2]])
      assert.deepEqual(grown.partitions.map((p) => [p.partition, p.leader, [...p.isr], p.partitionEpoch]), [[0, 1, [1], 1], [1, 2, [2, 1], 0], [2, 1, [1, 2], 0]])
      const other = await seen(b, 'three partitions on the other client', (snap) => snap.topics.get('growing')?.partitions.length === 3)
      assert.equal(other.topics.get('growing')?.id, t.id, 'same topic')
      const changed = await one.alterTopicConfigs('growing', { 'retention.ms': '1000', 'cleanup.policy': 'compact' })
      assert.deepEqual(changed.configs, { 'retention.ms': '1000', 'cleanup.policy': 'compact' })
      assert.equal(changed.partitions.length, 3)
      await seen(b, 'configs on the other client', (snap) => snap.topics.get('growing')?.configs['cleanup.policy'] === 'compact')
      await rejectsWith(one.addPartitions('absent', [[1]]), 'UNKNOWN_TOPIC_OR_PARTITION')
      await rejectsWith(one.alterTopicConfigs('absent', {}), 'UNKNOWN_TOPIC_OR_PARTITION')
      await rejectsWith(one.addPartitions('growing', [[1, 1]]), 'INVALID_REPLICA_ASSIGNMENT')
      await rejectsWith(one.addPartitions('growing', []), 'INVALID_PARTITIONS')
    })

    test('two writers compare-and-swap the same partition state: exactly one wins', async (_s, a, b) => {
      const one = await register(a, 1)
      const two = await register(b, 2)
      await seen(a, 'both brokers', (snap) => snap.brokers.size === 2)
      const t = await one.createTopic({ name: 'cas', replicas: [[1, 2]] })
      await seen(b, 'topic on b', (snap) => snap.topics.has('cas'))
      for (let round = 0; round < 5; round++) {
        const epoch = round
        const results = await Promise.allSettled([
          one.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: epoch, isr: [1, 2] }),
          two.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: epoch, isr: [1] })
        ])
        const won = results.filter((r) => r.status === 'fulfilled')
        assert.equal(won.length, 1, `round ${round}: exactly one writer wins`)
        const refused = results.find((r) => r.status === 'rejected')
        assert.ok(refused?.status === 'rejected' && refused.reason instanceof MetadataError)
        assert.equal(refused.reason.code, 'INVALID_UPDATE_VERSION')
        assert.equal(won[0]?.status === 'fulfilled' ? won[0].value.partitionEpoch : -1, epoch + 1)
        await seen(a, 'epoch applied', (snap) => snap.topics.get('cas')?.partitions[0]?.partitionEpoch === epoch + 1)
        await seen(b, 'epoch applied', (snap) => snap.topics.get('cas')?.partitions[0]?.partitionEpoch === epoch + 1)
      }
    })

    test('a writer whose local view lags is judged against the store, not refused on its stale copy', async (_s, a, b) => {
      const one = await register(a, 1)
      const two = await register(b, 2)
      await seen(a, 'both brokers', (snap) => snap.brokers.size === 2)
      const t = await one.createTopic({ name: 'lagging', replicas: [[1, 2]] })
      await seen(b, 'topic on b', (snap) => snap.topics.has('lagging'))
      // Each writer uses the epoch the other one just got back, without waiting for its own
      // view to catch up.
      let epoch = 0
      for (let round = 0; round < 20; round++) {
        const writer = round % 2 === 0 ? one : two
        const changed = await writer.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: epoch, isr: round % 3 === 0 ? [1] : [1, 2] })
        epoch = changed.partitionEpoch
      }
      assert.equal(epoch, 20)
      await seen(a, 'final epoch on a', (snap) => snap.topics.get('lagging')?.partitions[0]?.partitionEpoch === 20)
      await seen(b, 'final epoch on b', (snap) => snap.topics.get('lagging')?.partitions[0]?.partitionEpoch === 20)
    })

    test('leader and ISR changes: epochs, stale leader epoch fenced, invalid ISR refused', async (_s, a) => {
      const one = await register(a, 1)
      await register(a, 2)
      const t = await one.createTopic({ name: 'isr', replicas: [[1, 2, 3]] })
      const p0 = { topicId: t.id, partition: 0 }
      const shrunk = await one.alterPartition({ ...p0, partitionEpoch: 0, leaderEpoch: 0, isr: [1] })
      assert.deepEqual([shrunk.leader, shrunk.leaderEpoch, shrunk.partitionEpoch, [...shrunk.isr]], [1, 0, 1, [1]])
      const moved = await one.alterPartition({ ...p0, partitionEpoch: 1, leader: 2, isr: [2, 1] })
      assert.deepEqual([moved.leader, moved.leaderEpoch, moved.partitionEpoch], [2, 1, 2])
      // The old leader, still on leader epoch 0, tries to change the ISR: fenced.
      await rejectsWith(one.alterPartition({ ...p0, partitionEpoch: 2, leaderEpoch: 0, isr: [1] }), 'FENCED_LEADER_EPOCH')
      await rejectsWith(one.alterPartition({ ...p0, partitionEpoch: 1, isr: [1] }), 'INVALID_UPDATE_VERSION')
      await rejectsWith(one.alterPartition({ ...p0, partitionEpoch: 2, leader: 3, isr: [2] }), 'INVALID_REQUEST')
      await rejectsWith(one.alterPartition({ ...p0, partitionEpoch: 2, isr: [2, 1, 3] }), 'INELIGIBLE_REPLICA')
      await rejectsWith(one.alterPartition({ ...p0, partitionEpoch: 2, isr: [2, 4] }), 'INVALID_REQUEST')
      await rejectsWith(one.alterPartition({ topicId: t.id, partition: 7, partitionEpoch: 0, isr: [1] }), 'UNKNOWN_TOPIC_OR_PARTITION')
      const offline = await one.alterPartition({ ...p0, partitionEpoch: 2, leader: NO_LEADER, isr: [], offlineReplicas: [3] })
      assert.deepEqual([offline.leader, offline.leaderEpoch, offline.partitionEpoch, [...offline.offlineReplicas]], [NO_LEADER, 2, 3, [3]])
      assert.deepEqual(a.snapshot().topics.get('isr')?.partitions[0], offline)
    })

    test('a reassignment changes the replica set in steps, survives ISR changes, and is checked', async (_s, a, b) => {
      const one = await register(a, 1)
      await register(a, 2)
      await register(a, 4)
      const t = await one.createTopic({ name: 'moving', replicas: [[1, 2], [2, 1]] })
      const p0 = { topicId: t.id, partition: 0 }
      // Start: target {2,4}; 4 joins, 1 leaves; the ISR is untouched.
      const started = await one.alterPartition({ ...p0, partitionEpoch: 0, isr: [1, 2], reassignment: { replicas: [2, 4, 1], addingReplicas: [4], removingReplicas: [1] } })
      assert.deepEqual([[...started.replicas], [...started.addingReplicas], [...started.removingReplicas]], [[2, 4, 1], [4], [1]])
      // The leader's ISR expansion keeps the reassignment as it is.
      const grown = await one.alterPartition({ ...p0, partitionEpoch: 1, leaderEpoch: 0, isr: [1, 2, 4] })
      assert.deepEqual([[...grown.replicas], [...grown.addingReplicas], [...grown.removingReplicas]], [[2, 4, 1], [4], [1]])
      const seenOnB = await seen(b, 'the reassignment on the other client', (snap) => snap.topics.get('moving')?.partitions[0]?.partitionEpoch === 2)
      assert.deepEqual(seenOnB.topics.get('moving')?.partitions[0], grown)
      // Completion: the target set, leader moved off the leaving replica, lists cleared.
      const done = await one.alterPartition({ ...p0, partitionEpoch: 2, leader: 2, isr: [2, 4], reassignment: { replicas: [2, 4], addingReplicas: [], removingReplicas: [] } })
      assert.deepEqual([[...done.replicas], done.leader, done.leaderEpoch, [...done.isr], [...done.addingReplicas]], [[2, 4], 2, 1, [2, 4], []])
      await rejectsWith(one.alterPartition({ ...p0, partitionEpoch: 3, isr: [2, 1] }), 'INVALID_REQUEST')
      const bad = (reassignment: { replicas: number[], addingReplicas: number[], removingReplicas: number[] }): Promise<unknown> =>
        one.alterPartition({ ...p0, partitionEpoch: 3, isr: [2, 4], reassignment })
      await rejectsWith(bad({ replicas: [2, 2], addingReplicas: [], removingReplicas: [] }), 'INVALID_REPLICA_ASSIGNMENT')
      await rejectsWith(bad({ replicas: [], addingReplicas: [], removingReplicas: [] }), 'INVALID_REPLICA_ASSIGNMENT')
      await rejectsWith(bad({ replicas: [2, 4, 9], addingReplicas: [9], removingReplicas: [] }), 'INVALID_REPLICA_ASSIGNMENT')
      await rejectsWith(bad({ replicas: [2, 4, 1], addingReplicas: [1], removingReplicas: [1] }), 'INVALID_REPLICA_ASSIGNMENT')
      await rejectsWith(bad({ replicas: [2, 4], addingReplicas: [5], removingReplicas: [] }), 'INVALID_REPLICA_ASSIGNMENT')
      // The other partition kept the topic's assignment.
      assert.deepEqual([...(a.snapshot().topics.get('moving')?.partitions[1]?.replicas ?? [])], [2, 1])
    })

    test('a broker whose lease expires leaves the cluster and its later writes are refused', async (s, a, b) => {
      const frozen = await register(a, 1)
      const other = await register(b, 2)
      const t = await other.createTopic({ name: 'lease', replicas: [[1, 2]] })
      await seen(a, 'topic on a', (snap) => snap.topics.has('lease'))
      await frozen.campaign()
      assert.ok(frozen instanceof KvBrokerSession)
      const pausedAt = Date.now()
      frozen.pauseHeartbeats()
      const gone = await seen(b, 'broker 1 expired', (snap) => !snap.brokers.has(1))
      const elapsed = Date.now() - pausedAt
      assert.ok(elapsed >= s.sessionTimeoutMs - 600, `not dropped before its session timeout (${elapsed} ms)`)
      assert.equal(gone.controller, null, 'the controller claim ends with the lease')
      await rejectsWith(frozen.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: 0, isr: [1, 2] }), 'STALE_BROKER_EPOCH')
      await rejectsWith(frozen.createTopic({ name: 'late', replicas: [[1]] }), 'STALE_BROKER_EPOCH')
      await rejectsWith(frozen.allocateProducerIds(), 'STALE_BROKER_EPOCH')
      assert.equal(frozen.fenced, 'expired')
      assert.equal(b.snapshot().topics.has('late'), false)
      const next = await other.campaign()
      assert.equal(next.brokerId, 2)
    })

    test('a restart with a new incarnation fences the old one at once, controller claim included', async (s, a, b) => {
      const old = await register(a, 1, 'incarnation-old')
      const fencedReasons: string[] = []
      old.onFenced((reason) => fencedReasons.push(reason))
      const t = await old.createTopic({ name: 'restart', replicas: [[1]] })
      await seen(b, 'topic on b', (snap) => snap.topics.has('restart'))
      const controller = await old.campaign()
      const restartedAt = Date.now()
      const fresh = await register(b, 1, 'incarnation-new')
      assert.ok(fresh.brokerEpoch > old.brokerEpoch)
      await rejectsWith(old.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: 0, isr: [1] }), 'STALE_BROKER_EPOCH')
      await rejectsWith(old.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: 0, isr: [1] }, { controller }), 'STALE_BROKER_EPOCH')
      const snap = await seen(a, 'new incarnation', (x) => x.brokers.get(1)?.incarnationId === 'incarnation-new')
      assert.equal(snap.controller, null, 'the old incarnation\'s controller claim is gone')
      assert.equal(controller.active, false)
      await waitFor(() => old.fenced === 'replaced', 5000, { message: 'old session told it was replaced' })
      assert.deepEqual(fencedReasons, ['replaced'])
      assert.ok(Date.now() - restartedAt < s.sessionTimeoutMs, 'fenced before the old lease could have expired')
      // The new incarnation works, and keeps working past the old lease's lifetime.
      const changed = await fresh.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: 0, isr: [1] })
      assert.equal(changed.partitionEpoch, 1)
      await sleep(s.sessionTimeoutMs + 500)
      assert.equal(fresh.fenced, null)
      assert.equal(b.snapshot().brokers.get(1)?.incarnationId, 'incarnation-new')
      const c2 = await fresh.campaign()
      assert.ok(c2.epoch > controller.epoch)
    })

    test('watchers see every change in order, once', async (_s, a, b) => {
      const writer = await register(a, 1)
      const updates: Array<{ revision: number, epoch: number | undefined, exists: boolean }> = []
      const unsubscribe = b.subscribe((u) => {
        if (!u.topicsChanged.has('ordered')) return
        updates.push({ revision: u.snapshot.revision, epoch: u.snapshot.topics.get('ordered')?.partitions[0]?.partitionEpoch, exists: u.snapshot.topics.has('ordered') })
      })
      const t = await writer.createTopic({ name: 'ordered', replicas: [[1], [1], [1]] })
      for (let e = 0; e < 10; e++) await writer.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: e, isr: [1] })
      await writer.deleteTopic('ordered')
      await seen(b, 'deletion seen', (snap) => !snap.topics.has('ordered') && updates.some((u) => !u.exists))
      unsubscribe()
      assert.deepEqual(updates.map((u) => u.epoch), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, undefined])
      for (let i = 1; i < updates.length; i++) {
        assert.ok((updates[i]?.revision ?? 0) > (updates[i - 1]?.revision ?? 0), 'revisions strictly increase')
      }
      await rejectsWith(writer.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: 10, isr: [1] }), 'UNKNOWN_TOPIC_ID')
      await rejectsWith(writer.deleteTopic('ordered'), 'UNKNOWN_TOPIC_OR_PARTITION')
    })

    test('snapshots are immutable and share unchanged topics', async (_s, a) => {
      const w = await register(a, 1)
      const t1 = await w.createTopic({ name: 'still', replicas: [[1]] })
      const t2 = await w.createTopic({ name: 'moving', replicas: [[1]] })
      const before = a.snapshot()
      await w.alterPartition({ topicId: t2.id, partition: 0, partitionEpoch: 0, isr: [1] })
      const after = a.snapshot()
      assert.ok(after.revision > before.revision)
      assert.equal(before.topics.get('moving')?.partitions[0]?.partitionEpoch, 0, 'an old snapshot never changes')
      assert.equal(after.topics.get('moving')?.partitions[0]?.partitionEpoch, 1)
      assert.equal(after.topics.get('still'), before.topics.get('still'))
      assert.equal(after.topics.get('still')?.id, t1.id)
      assert.ok(Object.isFrozen(t1) && Object.isFrozen(t1.partitions) && Object.isFrozen(t1.partitions[0]?.isr))
      assert.throws(() => { (t1.partitions as number[] & object[]).push({}) }, TypeError)
    })

    test('producer-id blocks never overlap, across two clients allocating concurrently', async (_s, a, b) => {
      const one = await register(a, 1)
      const two = await register(b, 2)
      const blocks = await Promise.all([
        ...Array.from({ length: 15 }, async () => await one.allocateProducerIds()),
        ...Array.from({ length: 15 }, async () => await two.allocateProducerIds())
      ])
      const sorted = [...blocks].sort((x, y) => (x.firstProducerId < y.firstProducerId ? -1 : 1))
      for (const block of sorted) assert.equal(block.size, PRODUCER_ID_BLOCK_SIZE)
      for (let i = 1; i < sorted.length; i++) {
        const prev = sorted[i - 1]
        const cur = sorted[i]
        assert.ok(prev !== undefined && cur !== undefined)
        assert.ok(cur.firstProducerId >= prev.firstProducerId + BigInt(prev.size), `blocks ${prev.firstProducerId} and ${cur.firstProducerId} overlap`)
      }
      assert.equal(sorted[0]?.firstProducerId, 0n)
      assert.equal(new Set(blocks.map((x) => x.brokerId)).size, 2)
    })

    test('the first claim of the cluster id wins; every later claim, from any client, gets it', async (_s, a, b) => {
      const claims = await Promise.all([a.clusterId('id-from-a'), b.clusterId('id-from-b')])
      assert.ok(claims[0] === 'id-from-a' || claims[0] === 'id-from-b', `claimed ${claims[0]}`)
      assert.equal(claims[1], claims[0])
      assert.equal(await b.clusterId('another'), claims[0])
      assert.equal(await a.clusterId('yet-another'), claims[0])
    })

    test('a topic of 1000 partitions is created and deleted within the store\'s transaction limits', async (_s, a, b) => {
      const w = await register(a, 1)
      await register(b, 2)
      await seen(a, 'two brokers', (snap) => snap.brokers.size === 2)
      const replicas = Array.from({ length: 1000 }, (_v, p) => (p % 2 === 0 ? [1, 2] : [2, 1]))
      const topic = await w.createTopic({ name: 'wide', replicas })
      assert.equal(topic.partitions.length, 1000)
      const other = await seen(b, 'wide on the other client', (snap) => snap.topics.has('wide'))
      const seenTopic = other.topics.get('wide')
      assert.equal(seenTopic?.partitions.length, 1000)
      assert.deepEqual(seenTopic?.partitions[999]?.isr, [2, 1])
      await w.deleteTopic('wide')
      await seen(b, 'wide deleted', (snap) => !snap.topics.has('wide'))
      // The name is free again and the new topic starts from fresh states.
      const again = await w.createTopic({ name: 'wide', replicas: [[1]] })
      assert.notEqual(again.id, topic.id)
      assert.equal(again.partitions.length, 1)
    })

    test('closing a session deregisters the broker and frees the controller', async (_s, a, b) => {
      const one = await register(a, 1)
      const two = await register(b, 2)
      await one.campaign()
      const abort = new AbortController()
      const abandoned = two.campaign(abort.signal)
      abort.abort(new Error('shutting down'))
      await assert.rejects(abandoned, /shutting down/)
      const waiting = two.campaign()
      await one.close()
      assert.equal(one.fenced, 'closed')
      const c = await waiting
      assert.equal(c.brokerId, 2)
      const snap = await seen(a, 'broker 1 gone', (x) => !x.brokers.has(1) && x.controller?.brokerId === 2)
      assert.equal(snap.brokers.has(2), true)
      await rejectsWith(one.allocateProducerIds(), 'STALE_BROKER_EPOCH')
    })
  })
}

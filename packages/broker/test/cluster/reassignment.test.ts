// Partition reassignment: the decisions (start, replace, complete, cancel, refusals) on their own,
// and two controllers over one embedded metadata store, the second completing what the first
// started once the joining replica is in the ISR (the state is in the store, not a controller).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { silentLogger } from '@brook/common'
import { type BrokerSession, type ClusterMetadataStore, KvMetadataStore, MemoryKv, NO_LEADER, type PartitionMetadata } from '@brook/metadata'
import { ErrorCode } from '@brook/protocol'
import { BrokerConfig } from '../../src/config/broker-config.js'
import { Controller } from '../../src/cluster/controller.js'
import { type Brokers, decideCompletion, decideReassignment } from '../../src/cluster/reassignment/reassignment-plan.js'

function partition (replicas: number[], leader: number, isr: number[], adding: number[] = [], removing: number[] = []): PartitionMetadata {
  return { partition: 0, replicas, leader, leaderEpoch: 1, partitionEpoch: 1, isr, offlineReplicas: [], addingReplicas: adding, removingReplicas: removing }
}

const brokers = (...ids: number[]): Brokers => ({ registered: (id) => ids.includes(id), canLead: (id) => ids.includes(id) })
const all = brokers(1, 2, 3, 4, 5)

test('reassignment decisions: start, replace, complete, cancel and refusals', { timeout: 5000 }, () => {
  const p = partition([1, 2, 3], 1, [1, 2, 3])
  assert.deepEqual(decideReassignment(p, [2, 3, 4], all), {
    kind: 'change', step: { leader: 1, isr: [1, 2, 3], reassignment: { replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1] } }
  })
  // Reordering or shrinking within the ISR completes at once; the leaving leader hands over.
  assert.deepEqual(decideReassignment(p, [3, 2, 1], all), { kind: 'change', step: { leader: 1, isr: [1, 2, 3], reassignment: { replicas: [3, 2, 1], addingReplicas: [], removingReplicas: [] } } })
  assert.deepEqual(decideReassignment(p, [3, 2], all), { kind: 'change', step: { leader: 3, isr: [2, 3], reassignment: { replicas: [3, 2], addingReplicas: [], removingReplicas: [] } } })
  assert.deepEqual(decideReassignment(p, [1, 2, 3], all), { kind: 'none' })
  // A new target replaces an ongoing reassignment: measured from the original set.
  const ongoing = partition([2, 3, 4, 1], 1, [1, 2, 3, 4], [4], [1])
  assert.deepEqual(decideReassignment(ongoing, [1, 2, 5], all), {
    kind: 'change', step: { leader: 1, isr: [1, 2, 3], reassignment: { replicas: [1, 2, 5, 3], addingReplicas: [5], removingReplicas: [3] } }
  })
  const refused = (target: number[] | null, q: PartitionMetadata = p): number | null => {
    const d = decideReassignment(q, target, brokers(1, 2, 3))
    return d.kind === 'refused' ? d.errorCode : null
  }
  assert.equal(refused([]), ErrorCode.INVALID_REPLICA_ASSIGNMENT)
  assert.equal(refused([2, 2]), ErrorCode.INVALID_REPLICA_ASSIGNMENT)
  assert.equal(refused([2, -1]), ErrorCode.INVALID_REPLICA_ASSIGNMENT)
  assert.equal(refused([2, 9]), ErrorCode.INVALID_REPLICA_ASSIGNMENT)
  assert.equal(refused(null), ErrorCode.NO_REASSIGNMENT_IN_PROGRESS)
  // Cancel: back to the original set, the joining replica out of the ISR.
  assert.deepEqual(decideReassignment(ongoing, null, all), { kind: 'change', step: { leader: 1, isr: [1, 2, 3], reassignment: { replicas: [2, 3, 1], addingReplicas: [], removingReplicas: [] } } })
  // Completion waits for every target replica in the ISR, and for a leader that can lead.
  assert.equal(decideCompletion(partition([2, 3, 4, 1], 1, [1, 2, 3], [4], [1]), all), null)
  assert.equal(decideCompletion(p, all), null)
  assert.deepEqual(decideCompletion(ongoing, all), { leader: 2, isr: [2, 3, 4], reassignment: { replicas: [2, 3, 4], addingReplicas: [], removingReplicas: [] } })
  assert.equal(decideCompletion(ongoing, brokers(1)), null)
  assert.equal(decideCompletion(partition([2, 1], NO_LEADER, [2], [2], [1]), brokers(1)), null, 'no target replica can lead yet')
})

interface Member { store: ClusterMetadataStore, session: BrokerSession, controller: Controller }

async function member (kv: MemoryKv, brokerId: number): Promise<Member> {
  const store = await KvMetadataStore.open(kv.client(), { prefix: '/brook', leaseTtlSeconds: 1, heartbeatIntervalMs: 200, requestTimeoutMs: 5000, logger: silentLogger })
  const session = await store.registerBroker({ brokerId, incarnationId: randomUUID(), endpoints: [], rack: null })
  const controller = new Controller({ session, snapshot: () => store.snapshot(), config: new BrokerConfig({}), logger: silentLogger })
  store.subscribe(() => { controller.onSnapshot() })
  return { store, session, controller }
}

async function until<T> (what: string, check: () => T | null | undefined | false): Promise<T> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const value = check()
    if (value !== null && value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

test('a reassignment started by one controller is completed by the next', { timeout: 30_000 }, async () => {
  const kv = new MemoryKv()
  const one = await member(kv, 1)
  await until('broker 1 controller', () => one.controller.active)
  const two = await member(kv, 2)
  const three = await member(kv, 3)
  try {
    const t = await one.session.createTopic({ name: 'moving', replicas: [[1, 2]] })
    const state = (m: Member): PartitionMetadata | undefined => m.store.snapshot().topics.get('moving')?.partitions[0]
    assert.deepEqual(await one.controller.reassign([{ topic: 'moving', partition: 0, replicas: [2, 3] }]),
      [{ topic: 'moving', partition: 0, errorCode: ErrorCode.NONE, message: null }])
    assert.deepEqual(await one.controller.reassign([{ topic: 'missing', partition: 0, replicas: [2] }, { topic: 'moving', partition: 0, replicas: [7] }]).then((r) => r.map((x) => x.errorCode)),
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REPLICA_ASSIGNMENT])
    const started = await until('reassignment on broker 2', () => state(two)?.addingReplicas.length === 1 && state(two))
    assert.deepEqual([[...started.replicas], [...started.addingReplicas], [...started.removingReplicas]], [[2, 3, 1], [3], [1]])
    await assert.rejects(two.controller.reassign([]), /not the controller/)

    // The controller (and leader) leaves: broker 2 takes over both, and leads without broker 3 yet.
    await one.controller.close()
    await one.session.close()
    await until('broker 2 controller', () => two.controller.active)
    const led = await until('broker 2 leading', () => state(two)?.leader === 2 && state(two))
    assert.deepEqual([...led.addingReplicas], [3], 'still reassigning: broker 3 is not in the ISR')
    // Broker 3 caught up: the leader adds it to the ISR, and the new controller completes.
    await two.session.alterPartition({ topicId: t.id, partition: 0, partitionEpoch: led.partitionEpoch, leaderEpoch: led.leaderEpoch, isr: [2, 3] })
    const done = await until('reassignment completed', () => state(three)?.addingReplicas.length === 0 && state(three))
    assert.deepEqual([[...done.replicas], done.leader, [...done.isr], [...done.removingReplicas]], [[2, 3], 2, [2, 3], []])
  } finally {
    for (const m of [one, two, three]) {
      await m.controller.close()
      await m.session.close().catch(() => { /* already closed (broker 1) */ })
      await m.store.close()
    }
    await kv.close()
  }
})

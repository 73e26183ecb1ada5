// A network partition between a leader and etcd (not etcd stopped, not the process frozen): each
// broker and etcd run in their own network namespace, and the leader's link to etcd is cut while
// it still reaches its followers and the clients. Its session expires in etcd, the controller
// elects another leader; the cut-off broker, unable to shrink its ISR or learn of the change, must
// acknowledge nothing its followers did not take. (While cut off it still names itself leader in
// Metadata, so a client asking it keeps writing to it in vain: writes are only required to go on
// once healed.) Once healed it registers again and rejoins as a follower; acks=all writes
// (kafkajs, idempotent) go on; every acknowledged write is there exactly once, in order, and the
// three logs are byte-equal below the high watermark.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { metadataApi } from '@brook/protocol'
import { canMakeNamespaces, createNamespaceNetwork, partitionState, requestTo, startTestCluster, waitFor, type NamespaceNetwork, type TestCluster } from '@brook/testkit'
import { CLUSTER_SETTINGS, checkAfterRun } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'leader-cut-from-etcd'

/** The partition's leader and epoch as broker `id` itself answers Metadata. */
async function leaderSeenBy (cluster: TestCluster, id: number): Promise<{ leader: number, epoch: number }> {
  const m = cluster.members.get(id)
  assert.ok(m !== undefined)
  const body = await requestTo(m.port, metadataApi, 12, {
    topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: TOPIC }],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false
  }, 2000, m.host)
  const p = body.topics.find((t) => t.name === TOPIC)?.partitions[0]
  return { leader: p?.leaderId ?? -1, epoch: p?.leaderEpoch ?? -1 }
}

test('a leader cut off from etcd by a network partition is replaced, acknowledges nothing alone, and rejoins when healed', {
  timeout: 90_000,
  skip: canMakeNamespaces() ? false : 'needs root and iproute2 for network namespaces'
}, async () => {
  let net: NamespaceNetwork | undefined
  let cluster: TestCluster | undefined
  try {
    net = createNamespaceNetwork(['etcd', 'b1', 'b2', 'b3'])
    const n = net
    cluster = await startTestCluster({
      overrides: CLUSTER_SETTINGS,
      memberHost: (id) => n.ip(`b${id}`),
      memberCommand: (id) => n.command(`b${id}`),
      etcd: { host: n.ip('etcd'), command: n.command('etcd') }
    })
    const c = cluster
    const kafka = new Kafka({
      brokers: c.bootstrap.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
      connectionTimeout: 1000,
      requestTimeout: 8000
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(c, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const acknowledged: string[] = []
    let stop = false
    const writing = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          await producer.send({ topic: TOPIC, acks: -1, timeout: 5000, messages: [{ value: `k-${i}` }] })
          acknowledged.push(`k-${i}`)
        } catch {
          // Not acknowledged: it may or may not be in the log; the checks allow either.
        }
      }
    })()
    await waitFor(() => acknowledged.length >= 5, 20_000, { message: 'writes through broker 1' })

    n.cut('b1', 'etcd')
    const before = await leaderSeenBy(c, 2)
    assert.equal(before.leader, 1)
    // Brokers 2 and 3 still hear from etcd: they see broker 1's session end and a new leader.
    await waitFor(async () => {
      const seen = await leaderSeenBy(c, 2)
      return seen.leader > 1 && seen.epoch > before.epoch
    }, 30_000, { message: 'a new leader while broker 1 is cut off from etcd' })

    n.heal('b1', 'etcd')
    await waitFor(async () => {
      const state = await partitionState(c, TOPIC)
      return state !== null && state.leader > 1 && state.isr.length === 3
    }, 30_000, { message: 'broker 1 rejoined the ISR as a follower' })
    const healed = acknowledged.length
    await waitFor(() => acknowledged.length >= healed + 5, 30_000, { message: 'writes through the new leader once healed' })
    stop = true
    await writing
    await producer.disconnect()

    await checkAfterRun(c, TOPIC, acknowledged)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster?.logs() ?? ''}`, { cause: err })
  } finally {
    await cluster?.close()
    net?.close()
  }
})

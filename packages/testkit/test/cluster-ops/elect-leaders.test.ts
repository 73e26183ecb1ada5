// ElectLeaders (43) on a three-broker cluster over etcd: after a failover, a preferred election
// (Brook's admin client to whatever broker it picks, and a raw request to a broker that is not
// the controller, which forwards it) puts every partition back on its preferred leader; an
// unclean election gives a partition whose only ISR member is down a leader from outside the ISR.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { Client } from '@brook/client'
import { electLeadersApi, ErrorCode } from '@brook/protocol'
import { controllerOf, partitionState, requestTo, startTestCluster, waitFor } from '@brook/testkit'
import { OPS_SETTINGS, onPreferred, waitForPartitions } from './helpers.js'
import { brook, brookJson } from '../cli/brook.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'elect-preferred'
const PARTITIONS = 6

test('ElectLeaders: preferred after a failover, forwarding to the controller, unclean on request', { timeout: 240_000 }, async () => {
  const cluster = await startTestCluster({ overrides: OPS_SETTINGS })
  const admin = new Client({ brokers: cluster.bootstrap.split(','), retry: { retries: 20, initialRetryTimeMs: 100, maxRetryTimeMs: 500 } }).admin()
  try {
    const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 500 } })
    const kadmin = kafka.admin()
    await kadmin.connect()
    await kadmin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }] })
    await waitForPartitions(cluster, TOPIC, PARTITIONS, (s) => s.isr.length === 3 && onPreferred(s), 'every partition fully in sync on its preferred leader')

    // Broker 1 dies and comes back: the partitions it preferred are led elsewhere and stay so.
    await cluster.kill9(1)
    await waitForPartitions(cluster, TOPIC, PARTITIONS, (s) => s.leader !== 1 && s.leader >= 0, 'leaders moved off broker 1')
    await cluster.start(1)
    const moved = await waitForPartitions(cluster, TOPIC, PARTITIONS, (s) => s.isr.length === 3, 'broker 1 back in every ISR')
    const displaced = moved.flatMap((s, i) => onPreferred(s) ? [] : [i])
    assert.ok(displaced.length > 0, 'some partitions are off their preferred leader after the failover')

    // An explicit election sent to a broker that is not the controller: it forwards it.
    const controller = await waitFor(async () => { const id = await controllerOf(cluster); return id > 0 ? id : null }, 20_000, { message: 'a controller' })
    const other = [...cluster.members.values()].find((m) => m.id !== controller && m.process !== null)
    assert.ok(other !== undefined)
    const [first, ...rest] = displaced as [number, ...number[]]
    const alreadyPreferred = moved.findIndex((s) => onPreferred(s))
    const explicit = await requestTo(other.port, electLeadersApi, 2, {
      electionType: 0,
      topicPartitions: [{ topic: TOPIC, partitions: alreadyPreferred >= 0 ? [first, alreadyPreferred] : [first] }, { topic: 'no-such-topic', partitions: [0] }],
      timeoutMs: 30_000
    }, 30_000)
    assert.equal(explicit.errorCode, ErrorCode.NONE)
    const codes = new Map(explicit.replicaElectionResults.flatMap((t) => t.partitionResult.map((p) => [`${t.topic}-${p.partitionId}`, p.errorCode])))
    assert.equal(codes.get(`${TOPIC}-${first}`), ErrorCode.NONE)
    if (alreadyPreferred >= 0) assert.equal(codes.get(`${TOPIC}-${alreadyPreferred}`), ErrorCode.ELECTION_NOT_NEEDED)
    assert.equal(codes.get('no-such-topic-0'), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    await waitFor(async () => { const s = await partitionState(cluster, TOPIC, first); return s !== null && onPreferred(s) }, 10_000, { message: `partition ${first} back on its preferred leader` })

    // Every partition (no list): only the ones that needed an election are in the results.
    const all = await admin.electLeaders('preferred')
    const mine = all.filter((r) => r.topic === TOPIC)
    assert.deepEqual(mine.map((r) => r.partition).sort((a, b) => a - b), rest)
    assert.ok(mine.every((r) => r.errorCode === ErrorCode.NONE), JSON.stringify(mine))
    // The store committed every change before the answer; brokers' views follow within moments.
    await waitForPartitions(cluster, TOPIC, PARTITIONS, onPreferred, 'every partition on its preferred leader', 10_000)
    // Again, with the CLI: nothing to do.
    const again = await brookJson<Array<{ topic: string, partition: number, result: string }>>(
      ['cluster', 'elect-leaders', '--topic', TOPIC, '--partition', '0', '-b', cluster.bootstrap])
    assert.deepEqual(again.map((r) => [r.topic, r.partition, r.result]), [[TOPIC, 0, 'not needed']])

    // Unclean: replicas [2, 3]; 3 drops out of the ISR, then 2 dies: no ISR member is live.
    await kadmin.createTopics({ topics: [{ topic: 'elect-unclean', replicaAssignment: [{ partition: 0, replicas: [2, 3] }] }] })
    await kadmin.disconnect()
    await waitFor(async () => (await partitionState(cluster, 'elect-unclean'))?.isr.length === 2, 30_000, { message: 'ISR of 2' })
    await cluster.kill9(3)
    await waitFor(async () => { const s = await partitionState(cluster, 'elect-unclean'); return s !== null && s.isr.length === 1 && s.leader === 2 }, 30_000, { message: 'ISR shrank to [2]' })
    await cluster.kill9(2)
    await cluster.start(3)
    await waitFor(async () => (await partitionState(cluster, 'elect-unclean'))?.leader === -1, 30_000, { message: 'no leader' })
    const preferredNow = await brook(['cluster', 'elect-leaders', '--topic', 'elect-unclean', '-b', cluster.bootstrap])
    assert.equal(preferredNow.code, 1, preferredNow.stderr)
    assert.match(preferredNow.out, /PREFERRED_LEADER_NOT_AVAILABLE/)
    const unclean = await admin.electLeaders('unclean', [{ topic: 'elect-unclean', partitions: [0] }])
    assert.equal(unclean[0]?.errorCode, ErrorCode.NONE, JSON.stringify(unclean))
    const led = await waitFor(async () => { const s = await partitionState(cluster, 'elect-unclean'); return s?.leader === 3 ? s : null }, 20_000, { message: 'broker 3 leads' })
    assert.deepEqual(led.isr, [3])
    const second = await admin.electLeaders('unclean', [{ topic: 'elect-unclean', partitions: [0] }])
    assert.equal(second[0]?.errorCode, ErrorCode.ELECTION_NOT_NEEDED)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await admin.close()
    await cluster.close()
  }
})

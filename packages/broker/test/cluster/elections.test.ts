// Leader election decisions (preferred and unclean, Kafka's refusals) and the controller's
// leadership-imbalance check, on hand-made partition states.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@brook/protocol'
import type { BrokerRegistration, MetadataSnapshot, PartitionMetadata, TopicMetadata } from '@brook/metadata'
import { decideElection, ElectionType } from '../../src/cluster/election/election-decision.js'
import { imbalancedPartitions } from '../../src/cluster/election/leader-rebalance.js'

function partition (index: number, replicas: number[], leader: number, isr: number[]): PartitionMetadata {
  return { partition: index, replicas, leader, leaderEpoch: 1, partitionEpoch: 1, isr, offlineReplicas: [], addingReplicas: [], removingReplicas: [] }
}

const live = (...ids: number[]) => (id: number): boolean => ids.includes(id)

test('preferred: elects the first replica when live and in sync, refuses as Kafka otherwise', { timeout: 5000 }, () => {
  assert.deepEqual(decideElection(ElectionType.PREFERRED, partition(0, [1, 2, 3], 2, [1, 2, 3]), live(1, 2, 3)),
    { kind: 'change', leader: 1, isr: [1, 2, 3], unclean: false })
  const refused = (p: PartitionMetadata, canLead: (id: number) => boolean): number | null => {
    const d = decideElection(ElectionType.PREFERRED, p, canLead)
    return d.kind === 'refused' ? d.errorCode : null
  }
  assert.equal(refused(partition(0, [1, 2, 3], 1, [1, 2, 3]), live(1, 2, 3)), ErrorCode.ELECTION_NOT_NEEDED)
  assert.equal(refused(partition(0, [1, 2, 3], 2, [2, 3]), live(1, 2, 3)), ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE)
  assert.equal(refused(partition(0, [1, 2, 3], 2, [1, 2, 3]), live(2, 3)), ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE)
})

test('unclean: only without a live leader; an ISR member first, else a live replica outside the ISR', { timeout: 5000 }, () => {
  const d = (p: PartitionMetadata, canLead: (id: number) => boolean): ReturnType<typeof decideElection> => decideElection(ElectionType.UNCLEAN, p, canLead)
  assert.equal((d(partition(0, [1, 2, 3], 2, [2, 3]), live(1, 2, 3)) as { errorCode: number }).errorCode, ErrorCode.ELECTION_NOT_NEEDED)
  assert.deepEqual(d(partition(0, [1, 2, 3], -1, [1, 3]), live(2, 3)), { kind: 'change', leader: 3, isr: [3], unclean: false })
  assert.deepEqual(d(partition(0, [2, 3], -1, [2]), live(3)), { kind: 'change', leader: 3, isr: [3], unclean: true })
  assert.equal((d(partition(0, [2, 3], -1, [2]), live()) as { errorCode: number }).errorCode, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE)
})

function snapshotOf (partitions: PartitionMetadata[], brokers: number[]): MetadataSnapshot {
  const topic: TopicMetadata = { id: '00000000-0000-0000-0000-000000000001', name: 't', configs: {}, partitions }
  const regs = new Map<number, BrokerRegistration>(brokers.map((id) => [id, { brokerId: id, incarnationId: 'x', brokerEpoch: 1, endpoints: [], rack: null }]))
  return { revision: 1, brokers: regs, controller: null, topics: new Map([['t', topic]]), topicsById: new Map([[topic.id, topic]]) }
}

test('imbalance: a broker whose preferred partitions are led elsewhere above the percentage gets them back', { timeout: 5000 }, () => {
  // Broker 1 prefers partitions 0 and 3; broker 2 leads both after a failover.
  const partitions = [
    partition(0, [1, 2, 3], 2, [1, 2, 3]), partition(1, [2, 3, 1], 2, [1, 2, 3]),
    partition(2, [3, 1, 2], 3, [1, 2, 3]), partition(3, [1, 3, 2], 2, [1, 2, 3])
  ]
  const snapshot = snapshotOf(partitions, [1, 2, 3])
  assert.deepEqual(imbalancedPartitions(snapshot, 10, live(1, 2, 3)), [{ topic: 't', partition: 0 }, { topic: 't', partition: 3 }])
  // 2 of 2 is 100 %: above anything but 100.
  assert.deepEqual(imbalancedPartitions(snapshot, 100, live(1, 2, 3)), [])
  // Broker 1 down, or out of the ISR: nothing to do for it.
  assert.deepEqual(imbalancedPartitions(snapshot, 10, live(2, 3)), [])
  const outOfSync = snapshotOf([partition(0, [1, 2, 3], 2, [2, 3])], [1, 2, 3])
  assert.deepEqual(imbalancedPartitions(outOfSync, 0, live(1, 2, 3)), [])
})

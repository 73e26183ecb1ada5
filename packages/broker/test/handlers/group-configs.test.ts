// Per-group configs (GROUP resources, type 32) through DescribeConfigs / IncrementalAlterConfigs:
// defaults from the broker's group.consumer.* settings, overrides validated against the
// min/max bounds, used by the group's heartbeats, and kept across a restart.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { consumerGroupHeartbeatApi, createTopicsApi, deleteGroupsApi, describeConfigsApi, ErrorCode, findCoordinatorApi, incrementalAlterConfigsApi } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker } from '../helpers/broker.js'

const GROUP = 32
const SET = 0
const DELETE = 1

test('GROUP configs: describe, alter with bounds, used by heartbeats, persisted', { timeout: 30_000 }, async () => {
  const config = { 'offsets.topic.num.partitions': '2', 'group.consumer.min.heartbeat.interval.ms': '1000' }
  let broker = await startTestBroker(config)
  const dataDir = broker.dataDir
  let client = await RawClient.connect(broker.bootstrap)
  const describeAll = async (name = 'g') =>
    (await client.request(describeConfigsApi, 4, { resources: [{ resourceType: GROUP, resourceName: name, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false })).results[0]!
  // The consumer group configs (share group configs are listed after them; share tests cover those).
  const describe = async (name = 'g') => {
    const r = await describeAll(name)
    return { ...r, configs: r.configs.filter((c) => c.name.startsWith('consumer.')) }
  }
  const alter = async (configs: Array<{ name: string, configOperation: number, value: string | null }>, validateOnly = false) =>
    (await client.request(incrementalAlterConfigsApi, 1, { resources: [{ resourceType: GROUP, resourceName: 'g', configs }], validateOnly })).responses[0]!
  try {
    const before = await describe()
    assert.equal(before.errorCode, 0)
    assert.ok((await describeAll()).configs.some((c) => c.name === 'share.auto.offset.reset' && c.value === 'latest'))
    assert.deepEqual(before.configs.map((c) => [c.name, c.value, c.configSource]),
      [['consumer.session.timeout.ms', '45000', 5], ['consumer.heartbeat.interval.ms', '5000', 5]])

    assert.equal((await alter([{ name: 'consumer.heartbeat.interval.ms', configOperation: SET, value: '999' }])).errorCode, ErrorCode.INVALID_CONFIG)
    assert.equal((await alter([{ name: 'consumer.session.timeout.ms', configOperation: SET, value: '60001' }])).errorCode, ErrorCode.INVALID_CONFIG)
    assert.equal((await alter([{ name: 'no.such.config', configOperation: SET, value: '1' }])).errorCode, ErrorCode.INVALID_CONFIG)
    assert.equal((await alter([{ name: 'consumer.session.timeout.ms', configOperation: SET, value: 'many' }])).errorCode, ErrorCode.INVALID_CONFIG)
    assert.equal((await alter([{ name: 'consumer.session.timeout.ms', configOperation: SET, value: '50000' }], true)).errorCode, 0)
    assert.equal((await describe()).configs[0]!.value, '45000', 'validate_only changes nothing')

    assert.equal((await alter([
      { name: 'consumer.session.timeout.ms', configOperation: SET, value: '50000' },
      { name: 'consumer.heartbeat.interval.ms', configOperation: SET, value: '1500' }
    ])).errorCode, 0)
    assert.deepEqual((await describe()).configs.map((c) => [c.value, c.configSource]), [['50000', 8], ['1500', 8]])
    assert.deepEqual((await describe('other')).configs.map((c) => c.value), ['45000', '5000'], 'other groups keep the defaults')

    await client.request(createTopicsApi, 7, { topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 })
    await client.request(findCoordinatorApi, 4, { keyType: 0, coordinatorKeys: ['g'] })
    const hb = await client.request(consumerGroupHeartbeatApi, 1, {
      groupId: 'g', memberId: 'm', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 1000,
      subscribedTopicNames: ['t'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: []
    })
    assert.equal(hb.errorCode, 0)
    assert.equal(hb.heartbeatIntervalMs, 1500, 'the group\'s own heartbeat interval')

    client.close()
    await broker.close()
    broker = await startTestBroker(config, dataDir)
    client = await RawClient.connect(broker.bootstrap)
    assert.deepEqual((await describe()).configs.map((c) => c.value), ['50000', '1500'], 'kept across a restart')
    assert.equal((await alter([{ name: 'consumer.heartbeat.interval.ms', configOperation: DELETE, value: null }])).errorCode, 0)
    assert.deepEqual((await describe()).configs.map((c) => [c.value, c.configSource]), [['50000', 8], ['5000', 5]])

    // Deleting the (empty) group deletes its configs.
    await client.request(findCoordinatorApi, 4, { keyType: 0, coordinatorKeys: ['g'] })
    await client.request(consumerGroupHeartbeatApi, 1, {
      groupId: 'g', memberId: 'm', memberEpoch: 1, instanceId: null, rackId: null, rebalanceTimeoutMs: -1,
      subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null
    }).then(async () => await client.request(consumerGroupHeartbeatApi, 1, {
      groupId: 'g', memberId: 'm', memberEpoch: -1, instanceId: null, rackId: null, rebalanceTimeoutMs: -1,
      subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null
    }))
    const deleted = await client.request(deleteGroupsApi, 2, { groupsNames: ['g'] })
    assert.equal(deleted.results[0]!.errorCode, 0)
    assert.deepEqual((await describe()).configs.map((c) => c.configSource), [5, 5])
  } finally {
    client.close()
    await broker.destroy()
  }
})

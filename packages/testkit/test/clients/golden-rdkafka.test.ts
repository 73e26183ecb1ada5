// Golden bytes from librdkafka 2.15: @confluentinc/kafka-javascript driven through admin,
// idempotent and transactional produce, a KIP-848 consumer, a classic consumer group and SASL
// PLAIN (test/fixtures/golden_rdkafka.mjs), and librdkafka's share consumer (KIP-932, the C
// program of testkit's native/) reading and acknowledging a queue. The first request per
// (api, version) must decode and re-encode byte-equal with @brook/protocol; with
// BROOK_WRITE_GOLDEN=1 they are written as fixtures (rdkafka-*, rdkafkashare-*).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, type ConfigResourceType } from '@brook/client'
import { ApiKey } from '@brook/protocol'
import {
  assertSucceeded, captureClient, fixturePath, GOLDEN_SASL_USER, kafkaJavascriptDir, loadKafkaJavascript, runCommand, startGoldenSetup,
  startShareConsumer, waitFor
} from '@brook/testkit'

/** Kafka's GROUP config resource type (the client's enum names only topics and brokers). */
const GROUP_RESOURCE = 32 as ConfigResourceType

test('golden capture: librdkafka 2.15 requests (incl. KIP-848 and share consumers) round-trip through the codec', { timeout: 110_000 }, async () => {
  loadKafkaJavascript() // fails with the install script's name when librdkafka 2.15 is not built
  const setup = await startGoldenSetup({ 'group.share.heartbeat.interval.ms': '500', 'group.share.min.heartbeat.interval.ms': '500' })
  const problems: string[] = []
  try {
    problems.push(...await captureClient(setup, 'rdkafka',
      [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets, ApiKey.CreateTopics, ApiKey.DeleteTopics,
        ApiKey.CreatePartitions, ApiKey.DeleteRecords, ApiKey.ListGroups, ApiKey.DescribeGroups, ApiKey.DeleteGroups, ApiKey.FindCoordinator,
        ApiKey.JoinGroup, ApiKey.SyncGroup, ApiKey.Heartbeat, ApiKey.LeaveGroup, ApiKey.OffsetCommit, ApiKey.OffsetFetch,
        ApiKey.ConsumerGroupHeartbeat, ApiKey.InitProducerId, ApiKey.AddPartitionsToTxn, ApiKey.AddOffsetsToTxn, ApiKey.TxnOffsetCommit,
        ApiKey.EndTxn, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate, ApiKey.GetTelemetrySubscriptions],
      async () => {
        assertSucceeded('golden_rdkafka.mjs', await runCommand(process.execPath, [fixturePath('golden_rdkafka.mjs'), kafkaJavascriptDir(),
          setup.proxy.bootstrap, setup.saslProxy.bootstrap, 'golden-rdkafka', GOLDEN_SASL_USER.username, GOLDEN_SASL_USER.password], { timeoutMs: 90_000 }))
      }))

    // A queue of three records from the earliest offset (share.auto.offset.reset is a group config).
    const topic = 'golden-rdkafkashare'
    const client = new Client({ brokers: [setup.proxy.bootstrap] })
    const admin = client.admin()
    const producer = client.producer()
    try {
      await admin.createTopics([{ topic, numPartitions: 1 }])
      await admin.alterConfigs({ type: GROUP_RESOURCE, name: 'golden-share' }, [{ name: 'share.auto.offset.reset', value: 'earliest' }])
      await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })
    } finally {
      await producer.close()
      await admin.close()
    }
    problems.push(...await captureClient(setup, 'rdkafkashare',
      [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.FindCoordinator, ApiKey.ShareGroupHeartbeat, ApiKey.ShareFetch, ApiKey.ShareAcknowledge],
      async () => {
        const consumer = await startShareConsumer({ bootstrap: setup.proxy.bootstrap, group: 'golden-share', topic })
        try {
          await waitFor(() => consumer.confirmedAccepted().size === 3, 60_000, { message: 'the share consumer acknowledged the queue' })
        } finally {
          assert.equal(await consumer.stop(), 0, consumer.stderr())
        }
      }))
    assert.deepEqual(problems, [])
  } finally {
    await setup.close()
  }
})

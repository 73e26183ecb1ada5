// Golden bytes from librdkafka 2.0.2 (kcat and confluent-kafka-python) and kafka-python, each
// driven through a broad workload behind the capture proxies: metadata, produce (idempotent and
// transactional where the client can), consumer groups, admin, SASL PLAIN. The first request
// per (api, version) must decode and re-encode byte-equal with @brook/protocol; with
// BROOK_WRITE_GOLDEN=1 they are written as fixtures (kcat-*, python-*, kafkapython-*).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey } from '@brook/protocol'
import { assertSucceeded, captureClient, fixturePath, GOLDEN_SASL_USER, runKcat, runPython, startGoldenSetup } from '@brook/testkit'

const { username, password } = GOLDEN_SASL_USER

test('golden capture: kcat, confluent-kafka-python and kafka-python requests round-trip through the codec', { timeout: 110_000 }, async () => {
  const setup = await startGoldenSetup()
  const problems: string[] = []
  try {
    const bootstrap = setup.proxy.bootstrap
    problems.push(...await captureClient(setup, 'kcat',
      [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets, ApiKey.FindCoordinator, ApiKey.JoinGroup,
        ApiKey.SyncGroup, ApiKey.OffsetCommit, ApiKey.LeaveGroup, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate,
        [ApiKey.Produce, 0], [ApiKey.Produce, 1], [ApiKey.Produce, 2], [ApiKey.Metadata, 0]],
      async () => {
        const topic = 'golden-kcat'
        assertSucceeded('kcat -P', await runKcat(['-P', '-b', bootstrap, '-t', topic, '-K', ':', '-p', '0'], { input: 'k:golden\n', timeoutMs: 20_000 }))
        assertSucceeded('kcat -C', await runKcat(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-c', '1'], { timeoutMs: 20_000 }))
        assertSucceeded('kcat -G', await runKcat(['-b', bootstrap, '-G', 'golden-kcat', '-o', 'beginning', '-e', '-q', '-c', '1',
          '-X', 'enable.auto.commit=true', '-X', 'auto.commit.interval.ms=100', topic], { timeoutMs: 30_000 }))
        // Produce v0-2 as librdkafka sends them to old brokers: pinned to Kafka 0.8.2 and 0.9.0
        // without ApiVersions (Produce v0, v1), and offered Produce up to v2 only (v2). Brook
        // refuses Produce v0-2 as Kafka 4 does, so these runs fail; only their requests matter.
        for (const fallback of ['0.8.2', '0.9.0']) {
          await runKcat(['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-X', 'api.version.request=false', '-X', `broker.version.fallback=${fallback}`],
            { input: 'golden\n', timeoutMs: 20_000 })
        }
        setup.proxy.setVersionCaps(new Map([[ApiKey.Produce, 2]]))
        await runKcat(['-P', '-b', bootstrap, '-t', topic, '-p', '0'], { input: 'golden\n', timeoutMs: 20_000 })
        setup.proxy.setVersionCaps(new Map())
        assertSucceeded('kcat -L over SASL', await runKcat(['-L', '-b', setup.saslProxy.bootstrap, '-X', 'security.protocol=SASL_PLAINTEXT',
          '-X', 'sasl.mechanism=PLAIN', '-X', `sasl.username=${username}`, '-X', `sasl.password=${password}`], { timeoutMs: 20_000 }))
      }))
    problems.push(...await captureClient(setup, 'python',
      [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch, ApiKey.CreateTopics, ApiKey.CreatePartitions, ApiKey.DescribeConfigs,
        ApiKey.AlterConfigs, ApiKey.ListGroups, ApiKey.DeleteTopics, ApiKey.InitProducerId, ApiKey.AddPartitionsToTxn, ApiKey.AddOffsetsToTxn,
        ApiKey.TxnOffsetCommit, ApiKey.EndTxn, ApiKey.FindCoordinator, ApiKey.JoinGroup, ApiKey.SyncGroup, ApiKey.OffsetCommit,
        ApiKey.OffsetFetch, ApiKey.LeaveGroup, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate],
      async () => {
        assertSucceeded('golden_confluent.py', await runPython(fixturePath('golden_confluent.py'),
          [bootstrap, setup.saslProxy.bootstrap, 'golden-python', username, password], { timeoutMs: 60_000 }))
      }))
    problems.push(...await captureClient(setup, 'kafkapython',
      [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch, ApiKey.CreateTopics, ApiKey.CreatePartitions, ApiKey.DescribeConfigs,
        ApiKey.AlterConfigs, ApiKey.CreateAcls, ApiKey.DescribeAcls, ApiKey.DeleteAcls, ApiKey.DeleteTopics, ApiKey.FindCoordinator,
        ApiKey.JoinGroup, ApiKey.SyncGroup, ApiKey.Heartbeat, ApiKey.OffsetCommit, ApiKey.OffsetFetch, ApiKey.ListGroups, ApiKey.DescribeGroups,
        // kafka-python sends PLAIN's token unframed after the handshake, not as SaslAuthenticate.
        ApiKey.DeleteGroups, ApiKey.SaslHandshake],
      async () => {
        assertSucceeded('golden_kafka_python.py', await runPython(fixturePath('golden_kafka_python.py'),
          [bootstrap, setup.saslProxy.bootstrap, 'golden-kafkapython', username, password], { timeoutMs: 60_000 }))
      }))
    assert.deepEqual(problems, [])
  } finally {
    await setup.close()
  }
})

// Golden bytes of every request version @platformatic/kafka can encode: the client ships one
// encoder per (api, version) (its low-level API functions, exported as e.g. describeGroupsV2),
// so each version the broker advertises and the client implements is sent once, over its own
// connection, with plausible arguments. The broker's answers are not under test here (many are
// errors: no such group, SASL on the wrong listener); the requests must decode completely and
// re-encode byte-equal. Fixtures: platformaticapi-<api>-v<N>.hex (BROOK_WRITE_GOLDEN=1 writes them).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as platformatic from '@platformatic/kafka'
import {
  advertisedRanges, collectGolden, ensurePromiseWithResolvers, goldenApiName, GOLDEN_SASL_USER, startGoldenSetup, writeGoldenFixtures, writingGolden
} from '@brook/testkit'

ensurePromiseWithResolvers()

const CLIENT = 'platformaticapi'
const TOPIC = `golden-${CLIENT}`
const GROUP = 'golden-api-group'
const TXN = 'golden-api-txn'
const ZERO = '00000000-0000-0000-0000-000000000000'

interface VersionedApi {
  key: number
  version: number
  async: (connection: platformatic.Connection, ...args: unknown[]) => Promise<unknown>
}

/** The client's per-version API functions, keyed by camelCase api name (as exported: nameVn). */
function versionedApis (): Map<string, VersionedApi[]> {
  const byName = new Map<string, VersionedApi[]>()
  for (const [exported, module] of Object.entries(platformatic)) {
    const match = /^([a-zA-Z]+)V(\d+)$/.exec(exported)
    const api = (module as { api?: VersionedApi } | undefined)?.api
    if (match === null || api === undefined || typeof api.async !== 'function') continue
    const list = byName.get(match[1] ?? '') ?? []
    list.push(api)
    byName.set(match[1] ?? '', list)
  }
  for (const list of byName.values()) list.sort((a, b) => a.version - b.version)
  return byName
}

const plainToken = Buffer.from(`\0${GOLDEN_SASL_USER.username}\0${GOLDEN_SASL_USER.password}`)
const aclFilter = { resourceType: 2, resourceName: TOPIC, resourcePatternType: 3, principal: 'User:golden', host: '*', operation: 3, permissionType: 3 }
const protocolMetadata = Buffer.from('00000000000100000000ffffffff', 'hex')

// Arguments per api, shared by every version (the client keeps one caller signature per api).
// Order matters a little: topics are created before they are used.
const ARGS: Array<[string, unknown[] | ((version: number) => unknown[])]> = [
  ['apiVersions', ['golden', '1.0.0']],
  ['createTopics', [[{ name: TOPIC, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '86400000' }] }], 5000, false]],
  ['metadata', [[TOPIC], false, false, false]],
  ['produce', [1, 5000, [{ topic: TOPIC, key: Buffer.from('k'), value: Buffer.from('golden'), headers: new Map([[Buffer.from('h'), Buffer.from('v')]]) }]]],
  ['fetch', [100, 1, 1 << 20, 0, 0, -1, [{ topic: TOPIC, topicId: ZERO, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20, logStartOffset: -1n }] }], [], '']],
  ['listOffsets', [-1, 0, [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }]]],
  ['offsetForLeaderEpoch', [-1, [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }]]],
  ['findCoordinator', [0, [GROUP]]],
  // A group per version: a second join of one group would wait for the first member's rebalance.
  ['joinGroup', (version) => [`${GROUP}-${version}`, 6000, 6000, '', null, 'consumer', [{ name: 'range', metadata: protocolMetadata }], 'golden']],
  ['syncGroup', [GROUP, 1, 'golden-member', null, 'consumer', 'range', [{ memberId: 'golden-member', assignment: Buffer.alloc(0) }]]],
  ['heartbeat', [GROUP, 1, 'golden-member', null]],
  ['offsetCommit', [GROUP, -1, '', null, [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }]]],
  ['offsetFetch', [[{ groupId: GROUP, memberId: null, memberEpoch: -1, topics: [{ name: TOPIC, partitionIndexes: [0] }] }], false]],
  ['leaveGroup', [GROUP, [{ memberId: 'golden-member', groupInstanceId: null, reason: 'golden' }]]],
  ['describeGroups', [[GROUP], true]],
  ['listGroups', [['Empty'], ['classic']]],
  ['offsetDelete', [GROUP, [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }]]],
  ['deleteGroups', [[GROUP]]],
  ['consumerGroupHeartbeat', ['golden-848', 'golden-member-848', 0, null, null, 6000, [TOPIC], null, 'uniform', []]],
  ['consumerGroupDescribe', [['golden-848'], true]],
  ['initProducerId', [TXN, 60000, -1n, -1]],
  ['addPartitionsToTxn', [[{ transactionalId: TXN, producerId: 0n, producerEpoch: 0, verifyOnly: false, topics: [{ name: TOPIC, partitions: [0] }] }]]],
  ['addOffsetsToTxn', [TXN, 0n, 0, GROUP]],
  ['txnOffsetCommit', [TXN, GROUP, 0n, 0, -1, '', null, [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }]]],
  ['endTxn', [TXN, 0n, 0, false]],
  ['describeTransactions', [[TXN]]],
  ['listTransactions', [['Ongoing'], [], -1n, null]],
  ['describeProducers', [[{ name: TOPIC, partitionIndexes: [0] }]]],
  ['describeConfigs', [[{ resourceType: 2, resourceName: TOPIC, configurationKeys: ['retention.ms'] }], true, true]],
  ['alterConfigs', [[{ resourceType: 2, resourceName: TOPIC, configs: [{ name: 'retention.ms', value: '86400000' }] }], false]],
  ['incrementalAlterConfigs', [[{ resourceType: 2, resourceName: TOPIC, configs: [{ name: 'retention.ms', configOperation: 0, value: '86400000' }] }], false]],
  ['createPartitions', [[{ name: TOPIC, count: 1, assignments: null }], 5000, true]],
  ['deleteRecords', [[{ name: TOPIC, partitions: [{ partitionIndex: 0, offset: 0n }] }], 5000]],
  ['describeLogDirs', [[{ name: TOPIC, partitions: [0] }]]],
  ['alterPartitionReassignments', [5000, false, [{ name: TOPIC, partitions: [{ partitionIndex: 0, replicas: null }] }]]],
  ['listPartitionReassignments', [5000, [{ name: TOPIC, partitionIndexes: [0] }]]],
  ['alterReplicaLogDirs', [[{ path: '/nonexistent', topics: [{ name: TOPIC, partitions: [0] }] }]]],
  ['describeCluster', [true, 1]],
  ['describeTopicPartitions', [[{ name: TOPIC }], 100, null]],
  ['createAcls', [[aclFilter]]],
  ['describeAcls', [aclFilter]],
  ['deleteAcls', [[aclFilter]]],
  ['describeClientQuotas', [[{ entityType: 'user', matchType: 0, match: 'golden' }], false]],
  ['alterClientQuotas', [[{ entities: [{ entityType: 'user', entityName: 'golden' }], ops: [{ key: 'producer_byte_rate', value: 1048576, remove: false }] }], false]],
  ['describeUserScramCredentials', [[{ name: 'golden' }]]],
  ['alterUserScramCredentials', [[], [{ name: 'golden', mechanism: 1, iterations: 4096, salt: Buffer.alloc(16, 1), saltedPassword: Buffer.alloc(32, 2) }]]],
  ['getTelemetrySubscriptions', [ZERO]],
  ['pushTelemetry', [ZERO, 0, true, 0, Buffer.alloc(0)]],
  ['listClientMetricsResources', [[]]],
  ['listConfigResources', [[16]]],
  ['deleteTopics', [[{ name: 'golden-api-absent', topicId: null }], 5000]]
]

/** Sends one request and waits for its answer or a short deadline, whichever comes first. */
async function sendOnce (host: string, port: number, api: VersionedApi, args: unknown[], sasl: boolean): Promise<void> {
  const connection = new platformatic.Connection('golden')
  let timer: NodeJS.Timeout | undefined
  try {
    await connection.connect(host, port)
    if (sasl) {
      const handshake = versionedApis().get('saslHandshake')?.at(-1)
      if (handshake !== undefined) await handshake.async(connection, 'PLAIN')
    }
    await Promise.race([
      api.async(connection, ...args),
      new Promise((resolve) => { timer = setTimeout(resolve, 3000) })
    ])
  } catch (err) {
    // The answer is not under test (errors are expected); only what was sent is. Logged for debugging.
    if (process.env.BROOK_GOLDEN_DEBUG === '1') console.error(`${goldenApiName(api.key)} v${api.version}: ${(err as Error).message}`)
  } finally {
    clearTimeout(timer)
    await connection.close()
  }
}

test('golden capture: every request version @platformatic/kafka encodes round-trips through the codec', { timeout: 110_000 }, async () => {
  const setup = await startGoldenSetup()
  const ranges = advertisedRanges()
  const apis = versionedApis()
  const sent: VersionedApi[] = []
  const advertised = (api: VersionedApi): boolean => {
    const range = ranges.get(api.key)
    return range !== undefined && api.version >= range.min && api.version <= range.max
  }
  try {
    const [host, port] = [setup.proxy.host, setup.proxy.port]
    for (const [name, args] of ARGS) {
      for (const api of (apis.get(name) ?? []).filter(advertised)) {
        sent.push(api)
        await sendOnce(host, port, api, typeof args === 'function' ? args(api.version) : args, false)
      }
    }
    // SASL over the SASL listener: a v1 handshake, then each SaslAuthenticate version with PLAIN.
    for (const api of (apis.get('saslAuthenticate') ?? []).filter(advertised)) {
      sent.push(api)
      await sendOnce(setup.saslProxy.host, setup.saslProxy.port, api, [plainToken], true)
    }
    for (const api of (apis.get('saslHandshake') ?? []).filter(advertised)) {
      sent.push(api)
      await sendOnce(setup.saslProxy.host, setup.saslProxy.port, api, ['PLAIN'], false)
    }
    const result = collectGolden(CLIENT, setup.requests(), ranges)
    const kept = new Set(result.kept.map((k) => `${k.apiKey}/${k.apiVersion}`))
    const missing = sent.filter((a) => !kept.has(`${a.key}/${a.version}`)).map((a) => `${goldenApiName(a.key)} v${a.version}`)
    const driven = new Set([...ARGS.map(([name]) => name), 'saslAuthenticate', 'saslHandshake'])
    const undriven = [...apis].filter(([name, list]) => !driven.has(name) && list.some(advertised)).map(([name]) => name)
    assert.deepEqual(undriven, [], 'apis the broker advertises and the client encodes, without arguments in ARGS')
    assert.deepEqual(result.failures, [])
    assert.deepEqual(missing, [], 'every version sent was captured')
    assert.ok(result.kept.length > 150, `${result.kept.length} request versions captured`)
    if (writingGolden()) await writeGoldenFixtures(CLIENT, result.kept)
  } finally {
    await setup.close()
  }
})

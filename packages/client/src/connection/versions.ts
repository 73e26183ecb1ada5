// Which version of each API the client sends: the highest both sides speak,
// min(client max, broker max), provided it is at least max(client min, broker min).
// Fetch 13+ and Produce 13+ name topics by id: the fetcher and the producer send them only when
// metadata has every topic's id, and cap the version to the last one with names otherwise.
import { type ApiSchema } from '@brook/protocol'
import { UnsupportedVersionError } from '../errors/client-errors.js'

export interface VersionRange { min: number, max: number }

/** The versions this client can send, by api key (Produce 3 is the first with v2 record batches). */
const clientRanges = new Map<number, VersionRange>([
  [0, { min: 3, max: 13 }], // Produce (12+: see the producer for transactional producers)
  [1, { min: 4, max: 18 }], // Fetch
  [2, { min: 1, max: 9 }], // ListOffsets
  [3, { min: 1, max: 12 }], // Metadata
  [8, { min: 2, max: 9 }], // OffsetCommit
  [9, { min: 1, max: 9 }], // OffsetFetch
  [10, { min: 0, max: 6 }], // FindCoordinator
  [11, { min: 0, max: 9 }], // JoinGroup
  [12, { min: 0, max: 4 }], // Heartbeat
  [13, { min: 0, max: 5 }], // LeaveGroup
  [14, { min: 0, max: 5 }], // SyncGroup
  [15, { min: 0, max: 5 }], // DescribeGroups
  [16, { min: 0, max: 5 }], // ListGroups
  [17, { min: 0, max: 1 }], // SaslHandshake
  [18, { min: 0, max: 4 }], // ApiVersions
  [19, { min: 0, max: 7 }], // CreateTopics
  [20, { min: 0, max: 6 }], // DeleteTopics
  [21, { min: 0, max: 2 }], // DeleteRecords
  [22, { min: 0, max: 5 }], // InitProducerId
  [24, { min: 0, max: 3 }], // AddPartitionsToTxn (v4+ is the broker-to-broker batch form)
  [25, { min: 0, max: 4 }], // AddOffsetsToTxn
  [26, { min: 0, max: 4 }], // EndTxn (v5 is transaction protocol v2)
  [28, { min: 0, max: 4 }], // TxnOffsetCommit
  [32, { min: 0, max: 4 }], // DescribeConfigs
  [33, { min: 0, max: 2 }], // AlterConfigs
  [36, { min: 0, max: 2 }], // SaslAuthenticate
  [37, { min: 0, max: 3 }], // CreatePartitions
  [42, { min: 0, max: 2 }], // DeleteGroups
  [44, { min: 0, max: 1 }], // IncrementalAlterConfigs
  [47, { min: 0, max: 0 }], // OffsetDelete
  [60, { min: 0, max: 1 }], // DescribeCluster
  // Share groups (KIP-932): v0 was Kafka 4.0's early-access protocol (broker-made member ids, no
  // MaxRecords); the share consumer speaks the released one (Kafka 4.1+).
  [76, { min: 1, max: 1 }], // ShareGroupHeartbeat
  [78, { min: 1, max: 2 }], // ShareFetch
  [79, { min: 1, max: 2 }] // ShareAcknowledge
])

export function clientRange (api: ApiSchema): VersionRange {
  const own = clientRanges.get(api.key)
  const schema = api.validVersions
  if (own === undefined) return { min: schema.min, max: schema.max }
  return { min: Math.max(own.min, schema.min), max: Math.min(own.max, schema.max) }
}

/** The version to send `api` at, given the broker's advertised range (undefined: not offered). */
export function pickVersion (api: ApiSchema, broker: VersionRange | undefined, brokerName: string): number {
  const own = clientRange(api)
  if (broker === undefined) {
    throw new UnsupportedVersionError(`${brokerName} does not offer ${api.name} (api key ${api.key}); the client needs versions ${own.min}-${own.max}`)
  }
  const version = Math.min(own.max, broker.max)
  if (version < Math.max(own.min, broker.min)) {
    throw new UnsupportedVersionError(
      `${brokerName} offers ${api.name} versions ${broker.min}-${broker.max} and this client speaks ${own.min}-${own.max}: ` +
      'no version in common; upgrade the broker or use a client that speaks its versions')
  }
  return version
}

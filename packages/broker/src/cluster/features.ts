// The feature levels ApiVersions v3+ advertises (KIP-584): what this broker supports and what the
// "cluster" (this broker) has finalized. A Kafka 4.2 broker lists metadata.version,
// kraft.version, group.version, transaction.version, share.version, streams.version and
// eligible.leader.replicas.version; a feature at level 0 is simply absent. Brook lists only the
// features whose gated behaviour it has:
// - metadata.version 7 (3.3-IV3), the lowest level a Kafka 4.x cluster runs at. Higher levels
//   gate KRaft controller and replication behaviour (JBOD directory assignment, ELR, metadata
//   transactions, ...) that one broker without a metadata log does not have; clients do not
//   change behaviour on it.
// - group.version 1: KIP-848's consumer group protocol (ConsumerGroupHeartbeat and
//   ConsumerGroupDescribe, group configs), which Brook serves (group/consumer/).
// - transaction.version is not listed: level 1 is the flexible TransactionLogValue record
//   (Brook's coordinator writes version 0) and level 2 is KIP-890 part 2: Produce v12 and
//   TxnOffsetCommit v5 (implicit adds) are served, but not EndTxn v5 with its epoch bump on every
//   transaction end, which a producer that saw level 2 would rely on.
// - share.version is not listed: level 1 is KIP-932 share groups (ShareGroupHeartbeat,
//   ShareFetch), not served. kraft.version, streams.version (KIP-1071) and
//   eligible.leader.replicas.version (KIP-966 ELR) likewise gate things Brook does not have.
export interface FeatureRange {
  name: string
  minVersion: number
  maxVersion: number
}

export interface FinalizedFeature {
  name: string
  minVersionLevel: number
  maxVersionLevel: number
}

/** MetadataVersion.MINIMUM_VERSION of Kafka 4.x (3.3-IV3). */
const METADATA_VERSION_LEVEL = 7

/** GroupVersion.GV_1: the consumer rebalance protocol (KIP-848). */
const GROUP_VERSION_LEVEL = 1

export const SUPPORTED_FEATURES: readonly FeatureRange[] = [
  { name: 'metadata.version', minVersion: METADATA_VERSION_LEVEL, maxVersion: METADATA_VERSION_LEVEL },
  { name: 'group.version', minVersion: 0, maxVersion: GROUP_VERSION_LEVEL }
]

export const FINALIZED_FEATURES: readonly FinalizedFeature[] = [
  { name: 'metadata.version', minVersionLevel: METADATA_VERSION_LEVEL, maxVersionLevel: METADATA_VERSION_LEVEL },
  { name: 'group.version', minVersionLevel: GROUP_VERSION_LEVEL, maxVersionLevel: GROUP_VERSION_LEVEL }
]

/** Finalized features never change on this broker: one epoch for its lifetime. */
export const FINALIZED_FEATURES_EPOCH = 0n

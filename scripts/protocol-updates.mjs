// Dev-only, read by scripts/gen-protocol.mjs: what Kafka changed in these schemas after the
// 4.0-era JSON specs the generator reads (up to Kafka 4.2), written as edits to those specs so the
// committed modules stay reproducible. Structure only: names follow Kafka's JSON spelling.
//
// Each entry names one spec (request or response) and gives its new validVersions plus edits,
// and `rename` when Kafka renamed the message:
//   set:    { path, props }   merge props into the field at path (field names from the root)
//   insert: { after, field }  add field right after the field at path `after`
//   append: { path, field }   add field at the end of the fields at path ([] = the message's own)
// and optionally latestVersionUnstable (a version Kafka has since declared stable).
export const protocolUpdates = [
  // Produce v12: transaction protocol v2 (KIP-890), same fields. v13: topics named by id (KIP-516).
  { spec: 'ProduceRequest', validVersions: '0-13', edits: [
    { set: { path: ['TopicData', 'Name'], props: { versions: '0-12' } } },
    { insert: { after: ['TopicData', 'Name'], field: { name: 'TopicId', type: 'uuid', versions: '13+' } } }
  ] },
  { spec: 'ProduceResponse', validVersions: '0-13', edits: [
    { set: { path: ['Responses', 'Name'], props: { versions: '0-12' } } },
    { insert: { after: ['Responses', 'Name'], field: { name: 'TopicId', type: 'uuid', versions: '13+' } } }
  ] },
  // Fetch v18: the replica's high watermark (KIP-1166), tagged.
  { spec: 'FetchRequest', validVersions: '0-18', edits: [
    { insert: { after: ['Topics', 'Partitions', 'ReplicaDirectoryId'], field: { name: 'HighWatermark', type: 'int64', versions: '18+', taggedVersions: '18+', tag: 1, default: '9223372036854775807' } } }
  ] },
  { spec: 'FetchResponse', validVersions: '0-18', edits: [] },
  // ListOffsets v11: earliest pending upload timestamp (-6), same fields.
  { spec: 'ListOffsetsRequest', validVersions: '0-11', edits: [] },
  { spec: 'ListOffsetsResponse', validVersions: '0-11', edits: [] },
  // Metadata v13: top-level error code (KIP-1102, REBOOTSTRAP_REQUIRED).
  { spec: 'MetadataRequest', validVersions: '0-13', edits: [] },
  { spec: 'MetadataResponse', validVersions: '0-13', edits: [
    { insert: { after: ['ClusterAuthorizedOperations'], field: { name: 'ErrorCode', type: 'int16', versions: '13+' } } }
  ] },
  // OffsetCommit v10, OffsetFetch v10: topics named by id (KIP-848).
  { spec: 'OffsetCommitRequest', validVersions: '0-10', edits: [
    { set: { path: ['Topics', 'Name'], props: { versions: '0-9' } } },
    { insert: { after: ['Topics', 'Name'], field: { name: 'TopicId', type: 'uuid', versions: '10+' } } }
  ] },
  { spec: 'OffsetCommitResponse', validVersions: '0-10', edits: [
    { set: { path: ['Topics', 'Name'], props: { versions: '0-9' } } },
    { insert: { after: ['Topics', 'Name'], field: { name: 'TopicId', type: 'uuid', versions: '10+' } } }
  ] },
  { spec: 'OffsetFetchRequest', validVersions: '0-10', edits: [
    { set: { path: ['Groups', 'Topics', 'Name'], props: { versions: '8-9' } } },
    { insert: { after: ['Groups', 'Topics', 'Name'], field: { name: 'TopicId', type: 'uuid', versions: '10+' } } }
  ] },
  { spec: 'OffsetFetchResponse', validVersions: '0-10', edits: [
    { set: { path: ['Groups', 'Topics', 'Name'], props: { versions: '8-9' } } },
    { insert: { after: ['Groups', 'Topics', 'Name'], field: { name: 'TopicId', type: 'uuid', versions: '10+' } } }
  ] },
  // DescribeGroups v6: per-group error message (KIP-1043).
  { spec: 'DescribeGroupsRequest', validVersions: '0-6', edits: [] },
  { spec: 'DescribeGroupsResponse', validVersions: '0-6', edits: [
    { insert: { after: ['Groups', 'ErrorCode'], field: { name: 'ErrorMessage', type: 'string', versions: '6+', nullableVersions: '6+', default: 'null' } } }
  ] },
  // WriteTxnMarkers v2: the transaction version of the marker (KIP-1228).
  { spec: 'WriteTxnMarkersRequest', validVersions: '0-2', edits: [
    { insert: { after: ['Markers', 'CoordinatorEpoch'], field: { name: 'TransactionVersion', type: 'int8', versions: '2+' } } }
  ] },
  { spec: 'WriteTxnMarkersResponse', validVersions: '0-2', edits: [] },
  // TxnOffsetCommit v5: transaction protocol v2 (KIP-890), same fields.
  { spec: 'TxnOffsetCommitRequest', validVersions: '0-5', edits: [] },
  { spec: 'TxnOffsetCommitResponse', validVersions: '0-5', edits: [] },
  // DescribeCluster v2: fenced brokers (KIP-1073).
  { spec: 'DescribeClusterRequest', validVersions: '0-2', edits: [
    { insert: { after: ['EndpointType'], field: { name: 'IncludeFencedBrokers', type: 'bool', versions: '2+', default: 'false' } } }
  ] },
  { spec: 'DescribeClusterResponse', validVersions: '0-2', edits: [
    { insert: { after: ['Brokers', 'Rack'], field: { name: 'IsFenced', type: 'bool', versions: '2+', default: 'false' } } }
  ] },
  // ListTransactions v2: transactional id pattern (KIP-1152).
  { spec: 'ListTransactionsRequest', validVersions: '0-2', edits: [
    { insert: { after: ['DurationFilter'], field: { name: 'TransactionalIdPattern', type: 'string', versions: '2+', nullableVersions: '2+', default: 'null' } } }
  ] },
  { spec: 'ListTransactionsResponse', validVersions: '0-2', edits: [] },
  // ListClientMetricsResources became ListConfigResources in Kafka 4.1 (KIP-1142): v1 names the
  // resource types to list and answers each resource's type.
  { spec: 'ListClientMetricsResourcesRequest', rename: 'ListConfigResourcesRequest', validVersions: '0-1', edits: [
    { append: { path: [], field: { name: 'ResourceTypes', type: '[]int8', versions: '1+' } } }
  ] },
  { spec: 'ListClientMetricsResourcesResponse', rename: 'ListConfigResourcesResponse', validVersions: '0-1', edits: [
    { set: { path: ['ClientMetricsResources'], props: { name: 'ConfigResources', type: '[]ConfigResource' } } },
    { set: { path: ['ConfigResources', 'Name'], props: { name: 'ResourceName' } } },
    { insert: { after: ['ConfigResources', 'ResourceName'], field: { name: 'ResourceType', type: 'int8', versions: '1+', default: 16 } } }
  ] },
  // ConsumerGroupHeartbeat v1 (regex subscriptions, KIP-848) is stable from Kafka 4.0.
  { spec: 'ConsumerGroupHeartbeatRequest', validVersions: '0-1', latestVersionUnstable: false, edits: [] },
  { spec: 'ConsumerGroupHeartbeatResponse', validVersions: '0-1', edits: [] },
  // ConsumerGroupDescribe v1: member type (KIP-1099): -1 unknown, 0 classic, 1 consumer.
  { spec: 'ConsumerGroupDescribeRequest', validVersions: '0-1', edits: [] },
  { spec: 'ConsumerGroupDescribeResponse', validVersions: '0-1', edits: [
    { insert: { after: ['Groups', 'Members', 'TargetAssignment'], field: { name: 'MemberType', type: 'int8', versions: '1+', default: '-1' } } }
    ] },
  // Share groups (KIP-932): v0 was Kafka 4.0's early access, removed in 4.1 (kept in the schema
  // data; brokers serve v1+); v1 is the stable version. ShareFetch v1 adds MaxRecords/BatchSize and the lock timeout in the response (drops
  // PartitionMaxBytes); v2 (Kafka 4.2) adds ShareAcquireMode (KIP-1206) and IsRenewAck (KIP-1222),
  // and ShareAcknowledge v2 the renew flag and the lock timeout in its response.
  { spec: 'ShareGroupHeartbeatRequest', validVersions: '0-1', latestVersionUnstable: false, edits: [] },
  { spec: 'ShareGroupHeartbeatResponse', validVersions: '0-1', edits: [] },
  { spec: 'ShareGroupDescribeRequest', validVersions: '0-1', latestVersionUnstable: false, edits: [] },
  { spec: 'ShareGroupDescribeResponse', validVersions: '0-1', edits: [] },
  { spec: 'ShareFetchRequest', validVersions: '0-2', latestVersionUnstable: false, edits: [
    { insert: { after: ['MaxBytes'], field: { name: 'MaxRecords', type: 'int32', versions: '1+' } } },
    { insert: { after: ['MaxRecords'], field: { name: 'BatchSize', type: 'int32', versions: '1+' } } },
    { insert: { after: ['BatchSize'], field: { name: 'ShareAcquireMode', type: 'int8', versions: '2+', default: '0' } } },
    { insert: { after: ['ShareAcquireMode'], field: { name: 'IsRenewAck', type: 'bool', versions: '2+', default: 'false' } } },
    { set: { path: ['Topics', 'Partitions', 'PartitionMaxBytes'], props: { versions: '0' } } }
  ] },
  { spec: 'ShareFetchResponse', validVersions: '0-2', edits: [
    { insert: { after: ['ErrorMessage'], field: { name: 'AcquisitionLockTimeoutMs', type: 'int32', versions: '1+' } } }
  ] },
  { spec: 'ShareAcknowledgeRequest', validVersions: '0-2', latestVersionUnstable: false, edits: [
    { insert: { after: ['ShareSessionEpoch'], field: { name: 'IsRenewAck', type: 'bool', versions: '2+', default: 'false' } } }
  ] },
  { spec: 'ShareAcknowledgeResponse', validVersions: '0-2', edits: [
    { insert: { after: ['ErrorMessage'], field: { name: 'AcquisitionLockTimeoutMs', type: 'int32', versions: '2+' } } }
  ] },
  // Brook's own, not Kafka's: the check-back of a transaction (docs/delivery.md) as tagged fields,
  // which clients that do not know them skip. Tags from 10000 stay clear of the small numbers
  // Kafka gives its own tagged fields.
  { spec: 'DescribeTransactionsResponse', validVersions: '0', edits: [
    { append: { path: ['TransactionStates'], field: { name: 'BrookLastCheckBackTimeMs', type: 'int64', versions: '0+', taggedVersions: '0+', tag: 10000, default: '-1', about: 'Brook: when the check-back endpoint was last asked about this transaction, -1 if never.' } } },
    { append: { path: ['TransactionStates'], field: { name: 'BrookCheckBackAttempts', type: 'int32', versions: '0+', taggedVersions: '0+', tag: 10001, default: '0', about: 'Brook: how many times the check-back endpoint was asked.' } } }
  ] }
]

// APIs Kafka added after the 4.0-era specs (up to 4.2), written as whole specs in Kafka's JSON
// shape (structure only). Share group offsets admin (KIP-932): DescribeShareGroupOffsets v0-1
// (v1: Lag), AlterShareGroupOffsets v0, DeleteShareGroupOffsets v0.
const field = (name, type, versions = '0+', extra = {}) => ({ name, type, versions, ...extra })
export const newSpecs = [
  { apiKey: 90, type: 'request', name: 'DescribeShareGroupOffsetsRequest', validVersions: '0-1', flexibleVersions: '0+', fields: [
    field('Groups', '[]DescribeShareGroupOffsetsRequestGroup', '0+', { fields: [
      field('GroupId', 'string'),
      field('Topics', '[]DescribeShareGroupOffsetsRequestTopic', '0+', { nullableVersions: '0+', fields: [
        field('TopicName', 'string'),
        field('Partitions', '[]int32')
      ] })
    ] })
  ] },
  { apiKey: 90, type: 'response', name: 'DescribeShareGroupOffsetsResponse', validVersions: '0-1', flexibleVersions: '0+', fields: [
    field('ThrottleTimeMs', 'int32'),
    field('Groups', '[]DescribeShareGroupOffsetsResponseGroup', '0+', { fields: [
      field('GroupId', 'string'),
      field('Topics', '[]DescribeShareGroupOffsetsResponseTopic', '0+', { fields: [
        field('TopicName', 'string'),
        field('TopicId', 'uuid'),
        field('Partitions', '[]DescribeShareGroupOffsetsResponsePartition', '0+', { fields: [
          field('PartitionIndex', 'int32'),
          field('StartOffset', 'int64'),
          field('LeaderEpoch', 'int32'),
          field('Lag', 'int64', '1+', { default: '-1' }),
          field('ErrorCode', 'int16'),
          field('ErrorMessage', 'string', '0+', { nullableVersions: '0+', default: 'null' })
        ] })
      ] }),
      field('ErrorCode', 'int16'),
      field('ErrorMessage', 'string', '0+', { nullableVersions: '0+', default: 'null' })
    ] })
  ] },
  { apiKey: 91, type: 'request', name: 'AlterShareGroupOffsetsRequest', validVersions: '0', flexibleVersions: '0+', fields: [
    field('GroupId', 'string'),
    field('Topics', '[]AlterShareGroupOffsetsRequestTopic', '0+', { fields: [
      field('TopicName', 'string'),
      field('Partitions', '[]AlterShareGroupOffsetsRequestPartition', '0+', { fields: [
        field('PartitionIndex', 'int32'),
        field('StartOffset', 'int64')
      ] })
    ] })
  ] },
  { apiKey: 91, type: 'response', name: 'AlterShareGroupOffsetsResponse', validVersions: '0', flexibleVersions: '0+', fields: [
    field('ThrottleTimeMs', 'int32'),
    field('ErrorCode', 'int16'),
    field('ErrorMessage', 'string', '0+', { nullableVersions: '0+', default: 'null' }),
    field('Responses', '[]AlterShareGroupOffsetsResponseTopic', '0+', { fields: [
      field('TopicName', 'string'),
      field('TopicId', 'uuid'),
      field('Partitions', '[]AlterShareGroupOffsetsResponsePartition', '0+', { fields: [
        field('PartitionIndex', 'int32'),
        field('ErrorCode', 'int16'),
        field('ErrorMessage', 'string', '0+', { nullableVersions: '0+', default: 'null' })
      ] })
    ] })
  ] },
  { apiKey: 92, type: 'request', name: 'DeleteShareGroupOffsetsRequest', validVersions: '0', flexibleVersions: '0+', fields: [
    field('GroupId', 'string'),
    field('Topics', '[]DeleteShareGroupOffsetsRequestTopic', '0+', { fields: [
      field('TopicName', 'string')
    ] })
  ] },
  { apiKey: 92, type: 'response', name: 'DeleteShareGroupOffsetsResponse', validVersions: '0', flexibleVersions: '0+', fields: [
    field('ThrottleTimeMs', 'int32'),
    field('ErrorCode', 'int16'),
    field('ErrorMessage', 'string', '0+', { nullableVersions: '0+', default: 'null' }),
    field('Responses', '[]DeleteShareGroupOffsetsResponseTopic', '0+', { fields: [
      field('TopicName', 'string'),
      field('TopicId', 'uuid'),
      field('ErrorCode', 'int16'),
      field('ErrorMessage', 'string', '0+', { nullableVersions: '0+', default: 'null' })
    ] })
  ] }
]

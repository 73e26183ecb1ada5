// The handler registry, sorted by api key. ApiVersions advertises exactly this list
// (api-versions.ts) and server/connection.ts serves nothing else.
import type { Handler } from './handler.js'
import produce from './produce.js'
import fetch from './fetch.js'
import listOffsets from './list-offsets.js'
import metadata from './metadata.js'
import apiVersions from './api-versions.js'
import createTopics from './create-topics.js'
import deleteTopics from './delete-topics.js'
import deleteRecords from './delete-records.js'
import initProducerId from './init-producer-id.js'
import offsetForLeaderEpoch from './offset-for-leader-epoch.js'
import describeConfigs from './describe-configs.js'
import alterConfigs from './alter-configs.js'
import createPartitions from './create-partitions.js'
import incrementalAlterConfigs from './incremental-alter-configs.js'
import describeCluster from './describe-cluster.js'
import offsetCommit from './offset-commit.js'
import offsetFetch from './offset-fetch.js'
import findCoordinator from './find-coordinator.js'
import joinGroup from './join-group.js'
import heartbeat from './heartbeat.js'
import leaveGroup from './leave-group.js'
import syncGroup from './sync-group.js'
import describeGroups from './describe-groups.js'
import listGroups from './list-groups.js'
import deleteGroups from './delete-groups.js'
import offsetDelete from './offset-delete.js'
import addPartitionsToTxn from './add-partitions-to-txn.js'
import addOffsetsToTxn from './add-offsets-to-txn.js'
import endTxn from './end-txn.js'
import writeTxnMarkers from './write-txn-markers.js'
import txnOffsetCommit from './txn-offset-commit.js'
import describeProducers from './describe-producers.js'
import describeTransactions from './describe-transactions.js'
import listTransactions from './list-transactions.js'
import alterReplicaLogDirs from './alter-replica-log-dirs.js'
import describeLogDirs from './describe-log-dirs.js'
import getTelemetrySubscriptions from './get-telemetry-subscriptions.js'
import pushTelemetry from './push-telemetry.js'
import listConfigResources from './list-config-resources.js'
import describeTopicPartitions from './describe-topic-partitions.js'
import consumerGroupHeartbeat from './consumer-group-heartbeat.js'
import consumerGroupDescribe from './consumer-group-describe.js'
import shareGroupHeartbeat from './share-group-heartbeat.js'
import shareGroupDescribe from './share-group-describe.js'
import shareFetch from './share-fetch.js'
import shareAcknowledge from './share-acknowledge.js'
import describeShareGroupOffsets from './describe-share-group-offsets.js'
import alterShareGroupOffsets from './alter-share-group-offsets.js'
import deleteShareGroupOffsets from './delete-share-group-offsets.js'
import saslHandshake from './sasl-handshake.js'
import saslAuthenticate from './sasl-authenticate.js'
import describeClientQuotas from './describe-client-quotas.js'
import alterClientQuotas from './alter-client-quotas.js'
import describeUserScramCredentials from './describe-user-scram-credentials.js'
import alterUserScramCredentials from './alter-user-scram-credentials.js'
import describeAcls from './describe-acls.js'
import createAcls from './create-acls.js'
import deleteAcls from './delete-acls.js'
import electLeaders from './elect-leaders.js'
import alterPartitionReassignments from './alter-partition-reassignments.js'
import listPartitionReassignments from './list-partition-reassignments.js'

// Each handler is typed for its own request and response; the registry holds them erased.
export const HANDLERS: readonly Handler[] = ([
  produce, // 0
  fetch, // 1
  listOffsets, // 2
  metadata, // 3
  offsetCommit, // 8
  offsetFetch, // 9
  findCoordinator, // 10
  joinGroup, // 11
  heartbeat, // 12
  leaveGroup, // 13
  syncGroup, // 14
  describeGroups, // 15
  listGroups, // 16
  saslHandshake, // 17
  apiVersions, // 18
  createTopics, // 19
  deleteTopics, // 20
  deleteRecords, // 21
  initProducerId, // 22
  offsetForLeaderEpoch, // 23
  addPartitionsToTxn, // 24
  addOffsetsToTxn, // 25
  endTxn, // 26
  writeTxnMarkers, // 27
  txnOffsetCommit, // 28
  describeAcls, // 29
  createAcls, // 30
  deleteAcls, // 31
  describeConfigs, // 32
  alterConfigs, // 33
  alterReplicaLogDirs, // 34
  describeLogDirs, // 35
  saslAuthenticate, // 36
  createPartitions, // 37
  deleteGroups, // 42
  electLeaders, // 43
  incrementalAlterConfigs, // 44
  alterPartitionReassignments, // 45
  listPartitionReassignments, // 46
  offsetDelete, // 47
  describeClientQuotas, // 48
  alterClientQuotas, // 49
  describeUserScramCredentials, // 50
  alterUserScramCredentials, // 51
  describeCluster, // 60
  describeProducers, // 61
  describeTransactions, // 65
  listTransactions, // 66
  consumerGroupHeartbeat, // 68
  consumerGroupDescribe, // 69
  getTelemetrySubscriptions, // 71
  pushTelemetry, // 72
  listConfigResources, // 74
  describeTopicPartitions, // 75
  shareGroupHeartbeat, // 76
  shareGroupDescribe, // 77
  shareFetch, // 78
  shareAcknowledge, // 79
  describeShareGroupOffsets, // 90
  alterShareGroupOffsets, // 91
  deleteShareGroupOffsets // 92
] as unknown[]) as Handler[]

export function handlerTable (handlers: readonly Handler[]): ReadonlyMap<number, Handler> {
  return new Map(handlers.map((h) => [h.api.key, h]))
}

// @brook/metadata: the cluster metadata a broker shares with the others (brokers, controller,
// topics, partition leadership and ISR, producer-id blocks), behind one interface with an
// embedded single-node store and an etcd store.
export type {
  ClusterMetadataStore, BrokerSession, ControllerSession, ControllerFence, BrokerRegistrationRequest, TopicCreation,
  PartitionChange, ReplicaSetChange, ProducerIdBlock, FenceReason
} from './cluster-metadata.js'
export {
  type MetadataSnapshot, type MetadataUpdate, type BrokerRegistration, type BrokerEndpoint, type ControllerInfo,
  type TopicMetadata, type PartitionMetadata, NO_LEADER, EMPTY_SNAPSHOT
} from './snapshot.js'
export { MetadataError, isMetadataError, type MetadataErrorName } from './errors.js'
export {
  type MetadataConfig, MetadataConfigError, metadataConfigFrom, parseEndpoints, leaseTtlSeconds, DEFAULT_ETCD_PREFIX,
  DEFAULT_SESSION_TIMEOUT_MS, DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_REQUEST_TIMEOUT_MS
} from './config.js'
export { openMetadataStore, type OpenStoreOptions } from './open-store.js'
export { KvMetadataStore, type KvMetadataStoreOptions } from './store/kv-metadata-store.js'
export { KvBrokerSession } from './store/broker-session.js'
export { KvControllerSession } from './store/controller-session.js'
export { PRODUCER_ID_BLOCK_SIZE } from './store/producer-ids.js'
export {
  type KvBackend, type KvLimits, type KvEntry, type KvEvent, type KvCompare, type KvOp, type KvTxn, type KvWatch, type KvWatchHandler,
  type LeaseId, ETCD_DEFAULT_LIMITS, NO_LEASE
} from './kv/kv-backend.js'
export { MemoryKv } from './kv/memory-kv.js'
export { EtcdKv, type EtcdKvOptions } from './kv/etcd-kv.js'
export {
  type AclBinding, ResourceType, PatternType, AclOperation, AclPermission, aclKey, invalidBindingReason, parseBinding
} from './acl/acl-binding.js'
export type { AclStore, AclListener } from './acl/acl-store.js'
export { FileAclStore, ACL_FILE } from './acl/file-acl-store.js'
export { KvAclStore, type KvAclStoreOptions } from './acl/kv-acl-store.js'
export { openAclStore, type OpenAclStoreOptions } from './acl/open-acl-store.js'
export {
  type ScramRecordStore, type ScramRecordChange, type StoredScramCredential, type ScramMechanismName, SCRAM_MECHANISM_NAMES
} from './scram/scram-records.js'
export { FileScramStore, SCRAM_FILE } from './scram/file-scram-store.js'
export { KvScramStore, type KvScramStoreOptions } from './scram/kv-scram-store.js'
export { openScramStore } from './scram/open-scram-store.js'
export {
  type ClientQuotaStore, type QuotaChange, type QuotaEntity, type QuotaRecord, quotaEntityKey, quotaEntityFromKey
} from './quota/quota-records.js'
export { FileClientQuotaStore, QUOTA_FILE } from './quota/file-quota-store.js'
export { KvClientQuotaStore, type KvClientQuotaStoreOptions } from './quota/kv-quota-store.js'
export { openClientQuotaStore } from './quota/open-quota-store.js'
export { writeFileAtomic, readFileIfExists } from './records/atomic-file.js'

// Opening the store a broker's settings ask for: etcd when etcd.endpoints is set, otherwise the
// embedded single-node store.
import { silentLogger, type Logger } from '@brook/common'
import type { ClusterMetadataStore } from './cluster-metadata.js'
import { leaseTtlSeconds, type MetadataConfig } from './config.js'
import { EtcdKv } from './kv/etcd-kv.js'
import type { KvLimits } from './kv/kv-backend.js'
import { MemoryKv } from './kv/memory-kv.js'
import { KvMetadataStore } from './store/kv-metadata-store.js'

export interface OpenStoreOptions {
  logger?: Logger
  /** Transaction limits to split work by; etcd's defaults unless the etcd runs with others. */
  limits?: KvLimits
}

export async function openMetadataStore (config: MetadataConfig, options: OpenStoreOptions = {}): Promise<ClusterMetadataStore> {
  const logger = options.logger ?? silentLogger
  const limits = options.limits === undefined ? {} : { limits: options.limits }
  const kv = config.endpoints.length === 0
    ? new MemoryKv(options.limits)
    : new EtcdKv({ endpoints: config.endpoints, requestTimeoutMs: config.requestTimeoutMs, logger, ...limits })
  try {
    return await KvMetadataStore.open(kv, {
      prefix: config.prefix,
      leaseTtlSeconds: leaseTtlSeconds(config.sessionTimeoutMs),
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      requestTimeoutMs: config.requestTimeoutMs,
      logger
    })
  } catch (err) {
    await kv.close()
    throw err
  }
}

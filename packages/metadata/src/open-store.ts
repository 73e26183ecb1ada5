// Opening the store a broker's settings ask for: etcd when etcd.endpoints is set, otherwise the
// embedded single-node store. An etcd that does not answer yet (still starting, restarting, or a
// network that is slow to come up) is tried again for etcd.connection.timeout.ms, as a Kafka
// broker waits for ZooKeeper, so that brokers and etcd may be started in any order.
import { setTimeout as sleep } from 'node:timers/promises'
import { silentLogger, type Logger } from '@brook/common'
import type { ClusterMetadataStore } from './cluster-metadata.js'
import { leaseTtlSeconds, type MetadataConfig } from './config.js'
import { isMetadataError } from './errors.js'
import { EtcdKv } from './kv/etcd-kv.js'
import type { KvLimits } from './kv/kv-backend.js'
import { MemoryKv } from './kv/memory-kv.js'
import { KvMetadataStore } from './store/kv-metadata-store.js'

export interface OpenStoreOptions {
  logger?: Logger
  /** Transaction limits to split work by; etcd's defaults unless the etcd runs with others. */
  limits?: KvLimits
}

/** Pause between two attempts to reach etcd at start. */
const RETRY_BACKOFF_MS = 1000

export async function openMetadataStore (config: MetadataConfig, options: OpenStoreOptions = {}): Promise<ClusterMetadataStore> {
  const logger = options.logger ?? silentLogger
  if (config.endpoints.length === 0) return await openOnce(new MemoryKv(options.limits), config, logger)
  const limits = options.limits === undefined ? {} : { limits: options.limits }
  const deadline = Date.now() + config.connectionTimeoutMs
  for (let attempt = 1; ; attempt++) {
    const kv = new EtcdKv({ endpoints: config.endpoints, requestTimeoutMs: config.requestTimeoutMs, logger, ...limits })
    try {
      return await openOnce(kv, config, logger)
    } catch (err) {
      // A MetadataError is the store's answer (bad data, a refused write): trying again cannot help.
      if (isMetadataError(err) || Date.now() + RETRY_BACKOFF_MS >= deadline) throw err
      logger.warn({ err, attempt, endpoints: config.endpoints }, 'etcd not reachable yet; trying again')
      await sleep(RETRY_BACKOFF_MS)
    }
  }
}

async function openOnce (kv: MemoryKv | EtcdKv, config: MetadataConfig, logger: Logger): Promise<ClusterMetadataStore> {
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

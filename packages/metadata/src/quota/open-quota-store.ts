// The ClientQuotaStore a broker's settings ask for: etcd when etcd.endpoints is set (every broker
// of the cluster enforces the same quotas), otherwise the file in the broker's first log dir.
import { silentLogger, type Logger } from '@brook/common'
import type { MetadataConfig } from '../config.js'
import { EtcdKv } from '../kv/etcd-kv.js'
import { FileClientQuotaStore } from './file-quota-store.js'
import { KvClientQuotaStore } from './kv-quota-store.js'
import type { ClientQuotaStore } from './quota-records.js'

export async function openClientQuotaStore (config: MetadataConfig, options: { dir: string, logger?: Logger }): Promise<ClientQuotaStore> {
  const logger = options.logger ?? silentLogger
  if (config.endpoints.length === 0) return await FileClientQuotaStore.open(options.dir)
  const kv = new EtcdKv({ endpoints: config.endpoints, requestTimeoutMs: config.requestTimeoutMs, logger })
  try {
    return await KvClientQuotaStore.open(kv, { prefix: config.prefix, logger, ownsBackend: true })
  } catch (err) {
    await kv.close()
    throw err
  }
}

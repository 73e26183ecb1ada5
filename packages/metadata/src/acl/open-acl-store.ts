// The AclStore a broker's settings ask for: etcd when etcd.endpoints is set (every broker of the
// cluster shares it), otherwise the embedded file in the broker's first log dir.
import { silentLogger, type Logger } from '@brook/common'
import type { MetadataConfig } from '../config.js'
import { EtcdKv } from '../kv/etcd-kv.js'
import type { AclStore } from './acl-store.js'
import { FileAclStore } from './file-acl-store.js'
import { KvAclStore } from './kv-acl-store.js'

export interface OpenAclStoreOptions {
  /** Where the embedded store keeps its file (the broker's first log dir). */
  dir: string
  logger?: Logger
}

export async function openAclStore (config: MetadataConfig, options: OpenAclStoreOptions): Promise<AclStore> {
  const logger = options.logger ?? silentLogger
  if (config.endpoints.length === 0) return await FileAclStore.open(options.dir)
  const kv = new EtcdKv({ endpoints: config.endpoints, requestTimeoutMs: config.requestTimeoutMs, logger })
  try {
    return await KvAclStore.open(kv, { prefix: config.prefix, logger, ownsBackend: true })
  } catch (err) {
    await kv.close()
    throw err
  }
}

// The ScramRecordStore a broker's settings ask for: etcd when etcd.endpoints is set (every broker
// of the cluster shares the credentials), otherwise the file in the broker's first log dir.
import { silentLogger, type Logger } from '@brook/common'
import type { MetadataConfig } from '../config.js'
import { EtcdKv } from '../kv/etcd-kv.js'
import { FileScramStore } from './file-scram-store.js'
import { KvScramStore } from './kv-scram-store.js'
import type { ScramRecordStore } from './scram-records.js'

export async function openScramStore (config: MetadataConfig, options: { dir: string, logger?: Logger }): Promise<ScramRecordStore> {
  const logger = options.logger ?? silentLogger
  if (config.endpoints.length === 0) return await FileScramStore.open(options.dir)
  const kv = new EtcdKv({ endpoints: config.endpoints, requestTimeoutMs: config.requestTimeoutMs, logger })
  try {
    return await KvScramStore.open(kv, { prefix: config.prefix, logger, ownsBackend: true })
  } catch (err) {
    await kv.close()
    throw err
  }
}

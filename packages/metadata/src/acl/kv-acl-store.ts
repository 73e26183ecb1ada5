// The AclStore over the metadata key-value seam (etcd in cluster mode; MemoryKv in tests): one key
// per binding under <prefix>/acls/, its value the binding as JSON, mirrored by a prefix watch
// (records/kv-record-map.ts), so a change made through any broker reaches every broker's
// authorizer. A write resolves once this store's mirror has caught up with it.
import type { Logger } from '@brook/common'
import type { KvBackend } from '../kv/kv-backend.js'
import { KvRecordMap } from '../records/kv-record-map.js'
import { type AclBinding, aclKey, parseBinding } from './acl-binding.js'
import type { AclListener, AclStore } from './acl-store.js'

export interface KvAclStoreOptions {
  /** The cluster's key prefix (etcd.prefix); bindings live under <prefix>/acls/. */
  prefix: string
  logger: Logger
  /** Whether close() also closes the backend (true when the store opened it). */
  ownsBackend: boolean
}

const nameOf = (b: AclBinding): string => Buffer.from(aclKey(b)).toString('base64url')

export class KvAclStore implements AclStore {
  private readonly kv: KvBackend
  private readonly map: KvRecordMap<AclBinding>
  private readonly ownsBackend: boolean

  private constructor (kv: KvBackend, map: KvRecordMap<AclBinding>, ownsBackend: boolean) {
    this.kv = kv
    this.map = map
    this.ownsBackend = ownsBackend
  }

  static async open (kv: KvBackend, options: KvAclStoreOptions): Promise<KvAclStore> {
    const map = await KvRecordMap.open(kv, { dir: `${options.prefix}/acls/`, parse: parseBinding, logger: options.logger })
    return new KvAclStore(kv, map, options.ownsBackend)
  }

  list (): readonly AclBinding[] {
    return [...this.map.entries.values()]
  }

  async create (bindings: readonly AclBinding[]): Promise<void> {
    const fresh = new Map(bindings.map((b) => [nameOf(b), b] as const))
    for (const name of fresh.keys()) if (this.map.entries.has(name)) fresh.delete(name)
    await this.map.write([...fresh], [])
  }

  async remove (bindings: readonly AclBinding[]): Promise<AclBinding[]> {
    const wanted = new Map(bindings.map((b) => [nameOf(b), b] as const))
    const removed: AclBinding[] = []
    for (const [name, b] of wanted) if (await this.map.exists(name)) removed.push(b)
    await this.map.write([], removed.map(nameOf))
    return removed
  }

  subscribe (listener: AclListener): () => void {
    return this.map.subscribe(() => listener(this.list()))
  }

  async close (): Promise<void> {
    await this.map.close()
    if (this.ownsBackend) await this.kv.close()
  }
}

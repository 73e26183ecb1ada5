// The ScramRecordStore over the metadata key-value seam (etcd in cluster mode): one key per user
// and mechanism under <prefix>/scram/<user, base64url>/<mechanism>, mirrored by a prefix watch
// (records/kv-record-map.ts), so a user created through any broker can log in on every broker.
import type { Logger } from '@brook/common'
import type { KvBackend } from '../kv/kv-backend.js'
import { KvRecordMap } from '../records/kv-record-map.js'
import {
  isMechanismName, parseStoredCredential, type ScramMechanismName, type ScramRecordChange, type ScramRecordStore, type StoredScramCredential
} from './scram-records.js'

export interface KvScramStoreOptions {
  /** The cluster's key prefix (etcd.prefix). */
  prefix: string
  logger: Logger
  /** Whether close() also closes the backend (true when the store opened it). */
  ownsBackend: boolean
}

const nameOf = (user: string, mechanism: ScramMechanismName): string => `${Buffer.from(user).toString('base64url')}/${mechanism}`

export class KvScramStore implements ScramRecordStore {
  private readonly kv: KvBackend
  private readonly map: KvRecordMap<StoredScramCredential>
  private readonly ownsBackend: boolean

  private constructor (kv: KvBackend, map: KvRecordMap<StoredScramCredential>, ownsBackend: boolean) {
    this.kv = kv
    this.map = map
    this.ownsBackend = ownsBackend
  }

  static async open (kv: KvBackend, options: KvScramStoreOptions): Promise<KvScramStore> {
    const map = await KvRecordMap.open(kv, { dir: `${options.prefix}/scram/`, parse: parseStoredCredential, logger: options.logger })
    return new KvScramStore(kv, map, options.ownsBackend)
  }

  get (user: string, mechanism: ScramMechanismName): StoredScramCredential | null {
    return this.map.entries.get(nameOf(user, mechanism)) ?? null
  }

  users (): ReadonlyMap<string, ReadonlyMap<ScramMechanismName, StoredScramCredential>> {
    const users = new Map<string, Map<ScramMechanismName, StoredScramCredential>>()
    for (const [name, credential] of this.map.entries) {
      const at = name.indexOf('/')
      const mechanism = name.slice(at + 1)
      if (at < 0 || !isMechanismName(mechanism)) continue
      const user = Buffer.from(name.slice(0, at), 'base64url').toString()
      let creds = users.get(user)
      if (creds === undefined) users.set(user, creds = new Map())
      creds.set(mechanism, credential)
    }
    return users
  }

  async apply (changes: readonly ScramRecordChange[]): Promise<void> {
    // The last change to a user and mechanism wins, as applying them in order would leave it.
    const last = new Map<string, ScramRecordChange>()
    for (const change of changes) last.set(nameOf(change.user, change.mechanism), change)
    const puts: Array<readonly [string, StoredScramCredential]> = []
    const deletes: string[] = []
    for (const [name, change] of last) {
      if (change.op === 'upsert') puts.push([name, change.credential])
      else deletes.push(name)
    }
    await this.map.write(puts, deletes)
  }

  async close (): Promise<void> {
    await this.map.close()
    if (this.ownsBackend) await this.kv.close()
  }
}

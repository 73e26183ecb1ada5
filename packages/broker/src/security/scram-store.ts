// SCRAM credentials as the SASL server and the credential APIs use them (keys as bytes), over
// @brook/metadata's ScramRecordStore: brook-scram-credentials.json in the first log dir for one
// broker, etcd in cluster mode (every broker sees a user created through any of them).
import type { Logger } from '@brook/common'
import { FileScramStore, metadataConfigFrom, openScramStore, type ScramRecordStore, type StoredScramCredential } from '@brook/metadata'
import type { ScramCredential, ScramMechanism } from './sasl/scram-crypto.js'

export type ScramChange =
  | { op: 'upsert', user: string, mechanism: ScramMechanism, credential: ScramCredential }
  | { op: 'delete', user: string, mechanism: ScramMechanism }

export class ScramCredentialStore {
  private readonly records: ScramRecordStore

  constructor (records: ScramRecordStore) {
    this.records = records
  }

  /** The embedded store in `dir`. */
  static async open (dir: string): Promise<ScramCredentialStore> {
    return new ScramCredentialStore(await FileScramStore.open(dir))
  }

  /** The store the broker's settings ask for: etcd in cluster mode, else the file in `dir`. */
  static async openFor (settings: Readonly<Record<string, string | undefined>>, dir: string, logger: Logger): Promise<ScramCredentialStore> {
    return new ScramCredentialStore(await openScramStore(metadataConfigFrom(settings), { dir, logger: logger.child({ component: 'scram' }) }))
  }

  get (user: string, mechanism: ScramMechanism): ScramCredential | null {
    const stored = this.records.get(user, mechanism)
    return stored === null ? null : fromStored(stored)
  }

  /** Every user with at least one credential, and the mechanisms it has. */
  list (): Map<string, ScramMechanism[]> {
    return new Map([...this.records.users()].map(([user, creds]) => [user, [...creds.keys()]]))
  }

  /** Applies the changes together and persists them before they are visible. */
  async apply (changes: readonly ScramChange[]): Promise<void> {
    await this.records.apply(changes.map((c) => c.op === 'upsert' ? { ...c, credential: toStored(c.credential) } : c))
  }

  async close (): Promise<void> {
    await this.records.close()
  }
}

function toStored (c: ScramCredential): StoredScramCredential {
  return { salt: c.salt.toString('base64'), storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64'), iterations: c.iterations }
}

function fromStored (c: StoredScramCredential): ScramCredential {
  return { salt: Buffer.from(c.salt, 'base64'), storedKey: Buffer.from(c.storedKey, 'base64'), serverKey: Buffer.from(c.serverKey, 'base64'), iterations: c.iterations }
}

// SCRAM credentials, durable in brook-scram-credentials.json in the first log dir, replaced
// atomically on every change (temp file, fsync, rename, directory fsync): after a crash the file
// is the old or the new table. Format: {version:1, users:{name:{mechanism:{salt, storedKey,
// serverKey, iterations}}}} with the keys in base64. Changes run one at a time.
import { join } from 'node:path'
import { SerialQueue } from '@brook/common'
import { readFileIfExists, writeFileAtomic } from '../cluster/atomic-file.js'
import { SCRAM_MECHANISMS, type ScramCredential, type ScramMechanism } from './sasl/scram-crypto.js'

export const SCRAM_FILE = 'brook-scram-credentials.json'

interface StoredCredential { salt: string, storedKey: string, serverKey: string, iterations: number }
interface StoredFile { version: 1, users: Record<string, Partial<Record<ScramMechanism, StoredCredential>>> }

export type ScramChange =
  | { op: 'upsert', user: string, mechanism: ScramMechanism, credential: ScramCredential }
  | { op: 'delete', user: string, mechanism: ScramMechanism }

export class ScramCredentialStore {
  private users = new Map<string, Map<ScramMechanism, ScramCredential>>()
  private readonly path: string
  private readonly writes = new SerialQueue()

  private constructor (dir: string) {
    this.path = join(dir, SCRAM_FILE)
  }

  static async open (dir: string): Promise<ScramCredentialStore> {
    const store = new ScramCredentialStore(dir)
    const text = await readFileIfExists(store.path)
    if (text !== null) store.users = parse(store.path, text)
    return store
  }

  get (user: string, mechanism: ScramMechanism): ScramCredential | null {
    return this.users.get(user)?.get(mechanism) ?? null
  }

  /** Every user with at least one credential, and the mechanisms it has. */
  list (): Map<string, ScramMechanism[]> {
    return new Map([...this.users].map(([user, creds]) => [user, [...creds.keys()]]))
  }

  /** Applies the changes together and persists them before they are visible. */
  async apply (changes: readonly ScramChange[]): Promise<void> {
    await this.writes.run(async () => {
      const next = new Map([...this.users].map(([user, creds]) => [user, new Map(creds)]))
      for (const change of changes) {
        const creds = next.get(change.user) ?? new Map<ScramMechanism, ScramCredential>()
        if (change.op === 'upsert') creds.set(change.mechanism, change.credential)
        else creds.delete(change.mechanism)
        if (creds.size === 0) next.delete(change.user)
        else next.set(change.user, creds)
      }
      await writeFileAtomic(this.path, JSON.stringify(serialize(next), null, 2))
      this.users = next
    })
  }
}

function serialize (users: Map<string, Map<ScramMechanism, ScramCredential>>): StoredFile {
  const out: StoredFile = { version: 1, users: {} }
  for (const [user, creds] of users) {
    const entry: Partial<Record<ScramMechanism, StoredCredential>> = {}
    for (const [mechanism, c] of creds) {
      entry[mechanism] = { salt: c.salt.toString('base64'), storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64'), iterations: c.iterations }
    }
    out.users[user] = entry
  }
  return out
}

function parse (path: string, text: string): Map<string, Map<ScramMechanism, ScramCredential>> {
  let file: StoredFile
  try {
    file = JSON.parse(text) as StoredFile
  } catch (err) {
    throw new Error(`BROOK_SCRAM_FILE: ${path} is not valid JSON: ${(err as Error).message}`)
  }
  if (file.version !== 1 || typeof file.users !== 'object' || file.users === null) throw new Error(`BROOK_SCRAM_FILE: ${path} has an unknown format`)
  const users = new Map<string, Map<ScramMechanism, ScramCredential>>()
  for (const [user, entry] of Object.entries(file.users)) {
    const creds = new Map<ScramMechanism, ScramCredential>()
    for (const mechanism of SCRAM_MECHANISMS) {
      const c = entry[mechanism]
      if (c === undefined) continue
      creds.set(mechanism, { salt: Buffer.from(c.salt, 'base64'), storedKey: Buffer.from(c.storedKey, 'base64'), serverKey: Buffer.from(c.serverKey, 'base64'), iterations: c.iterations })
    }
    if (creds.size > 0) users.set(user, creds)
  }
  return users
}

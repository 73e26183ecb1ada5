// The embedded ScramRecordStore: brook-scram-credentials.json in the broker's first log dir,
// replaced atomically on every change, so after a crash it holds the old or the new table.
// Format: {version:1, users:{name:{mechanism:{salt, storedKey, serverKey, iterations}}}}.
// Changes run one at a time.
import { join } from 'node:path'
import { SerialQueue } from '@brook/common'
import { readFileIfExists, writeFileAtomic } from '../records/atomic-file.js'
import {
  isMechanismName, parseStoredCredential, type ScramMechanismName, type ScramRecordChange, type ScramRecordStore, type StoredScramCredential
} from './scram-records.js'

export const SCRAM_FILE = 'brook-scram-credentials.json'

type Users = Map<string, Map<ScramMechanismName, StoredScramCredential>>

export class FileScramStore implements ScramRecordStore {
  private table: Users = new Map()
  private readonly path: string
  private readonly writes = new SerialQueue()

  private constructor (dir: string) {
    this.path = join(dir, SCRAM_FILE)
  }

  static async open (dir: string): Promise<FileScramStore> {
    const store = new FileScramStore(dir)
    const text = await readFileIfExists(store.path)
    if (text !== null) store.table = parse(store.path, text)
    return store
  }

  get (user: string, mechanism: ScramMechanismName): StoredScramCredential | null {
    return this.table.get(user)?.get(mechanism) ?? null
  }

  users (): ReadonlyMap<string, ReadonlyMap<ScramMechanismName, StoredScramCredential>> {
    return this.table
  }

  async apply (changes: readonly ScramRecordChange[]): Promise<void> {
    await this.writes.run(async () => {
      const next: Users = new Map([...this.table].map(([user, creds]) => [user, new Map(creds)]))
      for (const change of changes) {
        const creds = next.get(change.user) ?? new Map<ScramMechanismName, StoredScramCredential>()
        if (change.op === 'upsert') creds.set(change.mechanism, change.credential)
        else creds.delete(change.mechanism)
        if (creds.size === 0) next.delete(change.user)
        else next.set(change.user, creds)
      }
      const file = { version: 1, users: Object.fromEntries([...next].map(([user, creds]) => [user, Object.fromEntries(creds)])) }
      await writeFileAtomic(this.path, JSON.stringify(file, null, 2))
      this.table = next
    })
  }

  async close (): Promise<void> {
    await this.writes.run(async () => {})
  }
}

function parse (path: string, text: string): Users {
  let file: { version?: unknown, users?: unknown }
  try {
    file = JSON.parse(text) as typeof file
  } catch (err) {
    throw new Error(`BROOK_SCRAM_FILE: ${path} is not valid JSON: ${(err as Error).message}`)
  }
  if (file.version !== 1 || typeof file.users !== 'object' || file.users === null) throw new Error(`BROOK_SCRAM_FILE: ${path} has an unknown format`)
  const users: Users = new Map()
  for (const [user, entry] of Object.entries(file.users as Record<string, unknown>)) {
    const creds = new Map<ScramMechanismName, StoredScramCredential>()
    for (const [mechanism, value] of Object.entries((entry ?? {}) as Record<string, unknown>)) {
      const credential = parseStoredCredential(value)
      if (!isMechanismName(mechanism) || credential === null) throw new Error(`BROOK_SCRAM_FILE: ${path} holds an invalid credential for ${user}`)
      creds.set(mechanism, credential)
    }
    if (creds.size > 0) users.set(user, creds)
  }
  return users
}

// SCRAM credentials as stored: per user and mechanism the salt, stored key and server key
// (base64) and the iteration count, never a password. The broker turns them into its SASL
// server's credentials; stores keep them durably and share them across a cluster.
//
// Guarantees every store gives (test/scram-conformance.ts):
// - apply() makes all its changes durable and visible in get()/users() of this store before it
//   resolves; changes of one apply() are applied in order;
// - every store on the same storage converges to the same credentials (etcd: by watch);
// - credentials survive closing and reopening the store.

export const SCRAM_MECHANISM_NAMES = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const
export type ScramMechanismName = typeof SCRAM_MECHANISM_NAMES[number]

export interface StoredScramCredential {
  readonly salt: string
  readonly storedKey: string
  readonly serverKey: string
  readonly iterations: number
}

export type ScramRecordChange =
  | { op: 'upsert', user: string, mechanism: ScramMechanismName, credential: StoredScramCredential }
  | { op: 'delete', user: string, mechanism: ScramMechanismName }

export interface ScramRecordStore {
  get: (user: string, mechanism: ScramMechanismName) => StoredScramCredential | null
  /** Every user with at least one credential, by mechanism. */
  users: () => ReadonlyMap<string, ReadonlyMap<ScramMechanismName, StoredScramCredential>>
  apply: (changes: readonly ScramRecordChange[]) => Promise<void>
  close: () => Promise<void>
}

export function isMechanismName (text: string): text is ScramMechanismName {
  return (SCRAM_MECHANISM_NAMES as readonly string[]).includes(text)
}

/** A stored credential read back, every field checked. */
export function parseStoredCredential (value: unknown): StoredScramCredential | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  if (typeof v.salt !== 'string' || typeof v.storedKey !== 'string' || typeof v.serverKey !== 'string' || !Number.isInteger(v.iterations)) return null
  return { salt: v.salt, storedKey: v.storedKey, serverKey: v.serverKey, iterations: v.iterations as number }
}

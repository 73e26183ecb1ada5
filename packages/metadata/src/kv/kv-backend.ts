// The small part of etcd's v3 API the metadata store is written against: ranges, conditional
// transactions, leases and a prefix watch. The etcd backend passes it through; the embedded
// backend reproduces the same semantics (revisions, compare, lease expiry, limits) in memory, so
// the metadata rules are written once and both stores behave alike by construction.

/** A lease id (etcd's int64 as decimal text); NO_LEASE for keys that outlive every session. */
export type LeaseId = string
export const NO_LEASE: LeaseId = '0'

export interface KvEntry {
  readonly key: string
  readonly value: string
  /** Revision of the put that created the key since it last did not exist. */
  readonly createRevision: number
  /** Revision of the key's last change. */
  readonly modRevision: number
  readonly lease: LeaseId
}

/**
 * A condition of a transaction on one key's revisions: equal to `revision`. A key that does not
 * exist has create and mod revision 0, so `{ target: 'create', revision: 0 }` means "absent".
 */
export interface KvCompare {
  readonly key: string
  readonly target: 'create' | 'mod'
  readonly revision: number
}

export type KvOp =
  | { readonly type: 'put', readonly key: string, readonly value: string, readonly lease?: LeaseId }
  | { readonly type: 'delete', readonly key: string }
  | { readonly type: 'deletePrefix', readonly prefix: string }

export interface KvTxn {
  readonly compares: readonly KvCompare[]
  /** Applied atomically, at one new revision, when every compare holds. */
  readonly success: readonly KvOp[]
}

export interface KvTxnResult {
  readonly succeeded: boolean
  /** The store revision after the transaction (the new one when it wrote). */
  readonly revision: number
}

export interface KvEvent {
  readonly type: 'put' | 'delete'
  readonly key: string
  /** The new value of a put; '' for a delete. */
  readonly value: string
  readonly modRevision: number
  readonly createRevision: number
}

export interface KvWatchHandler {
  /** All events of one revision, revisions strictly increasing, none skipped. */
  events: (revision: number, events: readonly KvEvent[]) => void
  /**
   * The history needed to resume was compacted away: here is the whole prefix at `revision`;
   * events continue after it.
   */
  reset: (entries: readonly KvEntry[], revision: number) => void
}

export interface KvWatch {
  cancel: () => Promise<void>
}

/** etcd's server defaults (--max-txn-ops, --max-request-bytes). */
export const ETCD_DEFAULT_LIMITS: KvLimits = Object.freeze({ maxTxnOps: 128, maxRequestBytes: 1_572_864 })

export interface KvLimits {
  /** Most compares plus operations in one transaction. */
  readonly maxTxnOps: number
  /** Largest request, in bytes of keys and values. */
  readonly maxRequestBytes: number
}

export interface KvBackend {
  /** The limits this backend enforces; callers split their work to stay under them. */
  readonly limits: KvLimits
  /** Every key under `prefix`, at one revision. */
  range: (prefix: string) => Promise<{ entries: KvEntry[], revision: number }>
  get: (key: string) => Promise<KvEntry | null>
  txn: (txn: KvTxn) => Promise<KvTxnResult>
  /** A lease of `ttlSeconds` whole seconds (the store may raise it to its minimum). */
  grantLease: (ttlSeconds: number) => Promise<LeaseId>
  /** Renews the lease; false when it no longer exists (expired or revoked). */
  keepAlive: (lease: LeaseId) => Promise<boolean>
  /** Deletes the lease and every key attached to it; a lease already gone is not an error. */
  revokeLease: (lease: LeaseId) => Promise<void>
  /** Events under `prefix` from `fromRevision` on. */
  watch: (prefix: string, fromRevision: number, handler: KvWatchHandler) => Promise<KvWatch>
  close: () => Promise<void>
}

/** Bytes a transaction sends, as etcd counts them closely enough to stay under its limit. */
export function txnBytes (txn: KvTxn): number {
  let bytes = 0
  for (const c of txn.compares) bytes += Buffer.byteLength(c.key) + 16
  for (const op of txn.success) {
    if (op.type === 'put') bytes += Buffer.byteLength(op.key) + Buffer.byteLength(op.value) + 16
    else if (op.type === 'delete') bytes += Buffer.byteLength(op.key) + 8
    else bytes += Buffer.byteLength(op.prefix) * 2 + 8
  }
  return bytes
}

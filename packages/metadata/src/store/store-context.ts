// What a broker session needs from the store that opened it.
import type { Logger } from '@brook/common'
import type { KvBackend } from '../kv/kv-backend.js'
import type { MetadataSnapshot } from '../snapshot.js'
import type { MetadataKeys } from './keys.js'
import type { StateMirror } from './state-mirror.js'

export interface StoreContext {
  readonly kv: KvBackend
  readonly keys: MetadataKeys
  readonly mirror: StateMirror
  readonly logger: Logger
  readonly leaseTtlSeconds: number
  readonly heartbeatIntervalMs: number
  /** Resolves once the local snapshot includes `revision` (read your writes). */
  readonly waitFor: (revision: number) => Promise<MetadataSnapshot>
}

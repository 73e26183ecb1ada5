// One store transaction on behalf of a broker session. Its conditions always include the
// session's fence (the registration key still carries the session's broker epoch) and, for
// controller writes, the election's fence (the controller key is still the one it wrote). When a
// transaction is refused, the keys are read back to tell which condition failed, with Kafka's
// error for it: the check is made by the store, whatever the writer believes.
import type { ControllerFence } from '../cluster-metadata.js'
import { MetadataError } from '../errors.js'
import type { KvCompare, KvOp } from '../kv/kv-backend.js'
import { KvControllerSession } from './controller-session.js'
import type { StoreContext } from './store-context.js'

/** Attempts of an optimistic read-then-write under contention before giving up. */
export const MAX_ATTEMPTS = 20

export interface FencedWriter {
  readonly ctx: StoreContext
  readonly brokerId: number
  readonly brokerEpoch: number
  /** The registration was found gone or replaced: marks the session fenced, returns its error. */
  readonly lost: (reason: 'expired' | 'replaced') => MetadataError
}

/**
 * Returns the transaction's revision once the local snapshot includes it, or null when one of
 * `compares` failed; throws STALE_BROKER_EPOCH / NOT_CONTROLLER when a fence failed.
 */
export async function fencedWrite (w: FencedWriter, compares: KvCompare[], success: KvOp[], fence?: ControllerFence): Promise<number | null> {
  const { kv, keys } = w.ctx
  const fences: KvCompare[] = [{ key: keys.broker(w.brokerId), target: 'mod', revision: w.brokerEpoch }]
  const controller = fence?.controller
  if (controller !== undefined) {
    if (!(controller instanceof KvControllerSession)) throw new MetadataError('INVALID_REQUEST', 'controller session of another store')
    fences.push({ key: keys.controller, target: 'mod', revision: controller.revision })
  }
  let result
  try {
    result = await kv.txn({ compares: [...fences, ...compares], success })
  } catch (err) {
    // etcd refuses a transaction over its limits before applying anything.
    if (err instanceof Error && /too many operations|request is too large/.test(err.message)) {
      throw new MetadataError('INVALID_REQUEST', `the metadata store refused the transaction: ${err.message}`, { cause: err })
    }
    throw new MetadataError('REQUEST_TIMED_OUT',
      'the metadata store did not answer; the change may or may not have been made', { cause: err })
  }
  if (result.succeeded) {
    await w.ctx.waitFor(result.revision)
    return result.revision
  }
  const registration = await kv.get(keys.broker(w.brokerId))
  if (registration === null || registration.modRevision !== w.brokerEpoch) {
    throw w.lost(registration === null ? 'expired' : 'replaced')
  }
  if (controller instanceof KvControllerSession) {
    const held = await kv.get(keys.controller)
    if (held === null || held.modRevision !== controller.revision) {
      throw new MetadataError('NOT_CONTROLLER', `controller epoch ${controller.epoch} is no longer the current controller`)
    }
  }
  return null
}

// What a shard operation returns (Kafka's CoordinatorResult): the records to make durable and the
// response to send once they are. The runtime appends the records, waits for the append, replays
// them, runs afterAppend, and only then hands out the response.
import type { CoordinatorResult, DeferredScheduler } from '../coordinator/runtime.js'
import type { GroupRecord } from './records.js'

export type OpResult<T> = CoordinatorResult<GroupRecord, T>

export function result<T> (response: T, records: GroupRecord[] = [], afterAppend?: (error: unknown) => void): OpResult<T> {
  return afterAppend === undefined ? { records, response } : { records, response, afterAppend }
}

/** Records and callbacks of `extra` appended to those of `base`, keeping base's response. */
export function withRecordsOf<T> (base: OpResult<T>, extra: OpResult<unknown>): OpResult<T> {
  const records = [...base.records, ...extra.records]
  const first = base.afterAppend
  const second = extra.afterAppend
  if (first === undefined && second === undefined) return { records, response: base.response }
  return {
    records,
    response: base.response,
    afterAppend: (error) => {
      first?.(error)
      second?.(error)
    }
  }
}

/**
 * Deferred operations (session expiry, rebalance timeouts): a task runs through the group's serial
 * queue like a request, and its records are appended the same way. Scheduling a key again
 * replaces the pending task.
 */
export type OpScheduler = DeferredScheduler<GroupRecord>

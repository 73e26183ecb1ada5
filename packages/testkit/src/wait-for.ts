// Polling with a deadline, for conditions that real clients and brokers reach asynchronously.
import { setTimeout as sleep } from 'node:timers/promises'

export interface WaitForOptions {
  intervalMs?: number
  /** Describes the condition in the timeout error. */
  message?: string
}

/**
 * Resolves with the predicate's first truthy result; rejects once `timeoutMs` has passed.
 * A predicate that throws is treated as "not yet" (clients throw while a broker is starting),
 * and the last error is attached to the timeout error as its cause.
 */
export async function waitFor<T> (
  predicate: () => T | Promise<T>,
  timeoutMs: number,
  options: WaitForOptions = {}
): Promise<NonNullable<T>> {
  const interval = options.intervalMs ?? 50
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const result = await predicate()
      if (result !== undefined && result !== null && result !== false) return result
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      const what = options.message ?? 'condition'
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms`, { cause: lastError })
    }
    await sleep(interval)
  }
}

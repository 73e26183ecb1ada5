// Retries with exponential back-off and jitter (Kafka's retry.backoff.ms doubling up to
// retry.backoff.max.ms), for errors that say they are retriable.
import { AbortError } from './client-errors.js'

export interface RetryOptions {
  /** Attempts after the first. Default 5. */
  retries?: number
  /** First back-off (retry.backoff.ms). Default 100. */
  initialRetryTimeMs?: number
  /** Back-off ceiling (retry.backoff.max.ms). Default 1000. */
  maxRetryTimeMs?: number
}

export function isRetriableError (err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true
}

export function backoffMs (attempt: number, options: RetryOptions): number {
  const initial = options.initialRetryTimeMs ?? 100
  const max = options.maxRetryTimeMs ?? 1000
  const base = Math.min(max, initial * 2 ** attempt)
  // +-20 % jitter, as Kafka's client does, so retries of many clients do not line up.
  return Math.round(base * (0.8 + Math.random() * 0.4))
}

export function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) { reject(new AbortError(signal.reason)); return }
    const onAbort = (): void => { clearTimeout(timer); reject(new AbortError(signal?.reason)) }
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Runs `attempt` until it succeeds, throws a non-retriable error, or the retries run out.
 * `beforeRetry` runs between attempts (a metadata refresh, a coordinator lookup).
 */
export async function withRetry<T> (
  attempt: (n: number) => Promise<T>,
  options: RetryOptions & { signal?: AbortSignal, beforeRetry?: (err: unknown) => Promise<void> | void } = {}
): Promise<T> {
  const retries = options.retries ?? 5
  for (let n = 0; ; n++) {
    try {
      return await attempt(n)
    } catch (err) {
      if (n >= retries || !isRetriableError(err) || options.signal?.aborted === true) throw err
      await sleep(backoffMs(n, options), options.signal)
      await options.beforeRetry?.(err)
    }
  }
}

// Transactional check-back (Brook's; docs/delivery.md): when a transaction is still open at its
// transaction.timeout.ms and its transactional.id matches a prefix registered in
// transaction.checkback.endpoints, the coordinator fences the producer (epoch bump, the
// transaction stays open), then asks that endpoint whether the application committed its side:
//
//   POST <url>   Content-Type: application/json
//   {"transactionalId":"orders-7","producerId":"4001","producerEpoch":3,
//    "partitions":[{"topic":"orders","partition":0}],"transactionStartTimeMs":1733400000000,"attempt":1}
//
//   200 {"decision":"commit"} | {"decision":"abort"}    anything else (another status, a body that
//   is not one of these, no answer within transaction.checkback.request.timeout.ms) is retried
//   after transaction.checkback.retry.backoff.ms, doubling up to 30 s, for at most
//   transaction.checkback.max.attempts attempts; then the transaction aborts, as Kafka's would.
//
// The broker calls no URL but the ones configured (http or https only), uses the longest
// matching prefix, and never follows redirects.
import type { Logger } from '@brook/common'

export interface CheckBackEndpoint { prefix: string, url: string }

export interface CheckBackSettings {
  endpoints: CheckBackEndpoint[]
  maxAttempts: number
  backoffMs: number
  timeoutMs: number
}

export type CheckBackDecision = 'commit' | 'abort'

export interface CheckBackRequest {
  transactionalId: string
  producerId: string
  producerEpoch: number
  partitions: Array<{ topic: string, partition: number }>
  transactionStartTimeMs: number
  attempt: number
}

/** What operators see of a check-back, running or finished (the latest per transactional id). */
export interface CheckBackStatus {
  transactionalId: string
  url: string
  attempts: number
  /** When the endpoint was last asked (epoch ms), -1 before the first attempt. */
  lastCheckMs: number
  /** The last answer or failure, as text. */
  lastAnswer: string
  /** null while asking; then what the transaction became, and why. */
  decision: CheckBackDecision | null
  reason: 'endpoint' | 'attempts exhausted' | null
}

export const MAX_BACKOFF_MS = 30_000

/** `prefix=url` entries; a malformed entry is a config error (the message says which). */
export function parseEndpoints (entries: readonly string[]): CheckBackEndpoint[] {
  return entries.filter((e) => e.trim() !== '').map((entry) => {
    const at = entry.indexOf('=')
    if (at < 0) throw new Error(`"${entry}" is not prefix=url`)
    const prefix = entry.slice(0, at).trim()
    const url = entry.slice(at + 1).trim()
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new Error(`"${url}" is not a URL`)
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`"${url}" is not http or https`)
    return { prefix, url }
  })
}

/** Validation for the config value (a list): undefined when valid. */
export function endpointsError (value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined
  try {
    parseEndpoints(value.map(String))
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

/** The endpoint of the longest prefix matching the id, null when none. */
export function endpointFor (endpoints: readonly CheckBackEndpoint[], transactionalId: string): string | null {
  let best: CheckBackEndpoint | null = null
  for (const e of endpoints) {
    if (transactionalId.startsWith(e.prefix) && (best === null || e.prefix.length > best.prefix.length)) best = e
  }
  return best?.url ?? null
}

/** One attempt: the decision, or null with what went wrong. */
export async function askOnce (url: string, request: CheckBackRequest, timeoutMs: number): Promise<{ decision: CheckBackDecision | null, answer: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs)
    })
    const text = (await response.text()).slice(0, 200)
    if (response.status !== 200) return { decision: null, answer: `HTTP ${response.status}` }
    let decision: unknown
    try {
      decision = (JSON.parse(text) as { decision?: unknown }).decision
    } catch {
      return { decision: null, answer: `not JSON: ${text.slice(0, 60)}` }
    }
    if (decision === 'commit' || decision === 'abort') return { decision, answer: decision }
    return { decision: null, answer: `unknown decision: ${String(decision).slice(0, 60)}` }
  } catch (err) {
    return { decision: null, answer: (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `request failed: ${(err as Error).message}` }
  }
}

/**
 * Asks until a decision or the attempt limit; `status` is updated as it goes. Stops early (abort)
 * when `stopped()` turns true (the broker is shutting down: a restart asks again).
 */
export async function askUntilDecided (url: string, request: Omit<CheckBackRequest, 'attempt'>, settings: CheckBackSettings,
  status: CheckBackStatus, stopped: () => boolean, logger: Logger): Promise<CheckBackDecision | null> {
  let backoff = settings.backoffMs
  for (let attempt = 1; attempt <= settings.maxAttempts; attempt++) {
    if (stopped()) return null
    status.attempts = attempt
    status.lastCheckMs = Date.now()
    const { decision, answer } = await askOnce(url, { ...request, attempt }, settings.timeoutMs)
    status.lastAnswer = answer
    logger.info({ transactionalId: request.transactionalId, url, attempt, answer }, 'transaction check-back asked')
    if (decision !== null) {
      status.decision = decision
      status.reason = 'endpoint'
      return decision
    }
    if (attempt < settings.maxAttempts) {
      await new Promise((resolve) => setTimeout(resolve, backoff).unref())
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
    }
  }
  status.decision = 'abort'
  status.reason = 'attempts exhausted'
  return 'abort'
}

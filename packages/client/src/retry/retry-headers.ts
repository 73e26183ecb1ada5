// The headers a retried or dead-lettered record carries (Brook's names): the attempt it is
// on, where it was first read (topic, partition, offset), the last error, and for scheduled
// retries the broker's brook.delay.ms. The record's own headers are kept; these are replaced on
// each hand-on, so a record carries one set.
import type { RecordHeader } from '@brook/protocol'

export const RetryHeader = {
  attempt: 'brook.retry.attempt',
  topic: 'brook.retry.original.topic',
  partition: 'brook.retry.original.partition',
  offset: 'brook.retry.original.offset',
  error: 'brook.retry.error',
  delay: 'brook.delay.ms'
} as const

const OURS = new Set<string>([...Object.values(RetryHeader), 'brook.deliver.at'])
/** A header value is for people and logs: long error messages are cut. */
const MAX_ERROR_CHARS = 1000

export interface RetryState {
  attempt: number
  original: { topic: string, partition: number, offset: bigint } | null
}

function text (headers: readonly RecordHeader[], key: string): string | undefined {
  for (let i = headers.length - 1; i >= 0; i--) if (headers[i]!.key === key) return headers[i]!.value?.toString('utf8')
  return undefined
}

export function readRetryState (headers: readonly RecordHeader[]): RetryState {
  const attempt = Number(text(headers, RetryHeader.attempt) ?? '0')
  const topic = text(headers, RetryHeader.topic)
  const partition = Number(text(headers, RetryHeader.partition))
  const offset = text(headers, RetryHeader.offset)
  const original = topic !== undefined && Number.isInteger(partition) && offset !== undefined && /^\d+$/.test(offset)
    ? { topic, partition, offset: BigInt(offset) }
    : null
  return { attempt: Number.isInteger(attempt) && attempt >= 0 ? attempt : 0, original }
}

export function retryHeaders (
  headers: readonly RecordHeader[],
  next: { attempt: number, original: { topic: string, partition: number, offset: bigint }, error: unknown, delayMs: number | null }
): Array<{ key: string, value: Buffer | string | null }> {
  const out: Array<{ key: string, value: Buffer | string | null }> = headers.filter((h) => !OURS.has(h.key)).map((h) => ({ key: h.key, value: h.value }))
  const message = next.error instanceof Error ? `${next.error.name}: ${next.error.message}` : String(next.error)
  out.push(
    { key: RetryHeader.attempt, value: String(next.attempt) },
    { key: RetryHeader.topic, value: next.original.topic },
    { key: RetryHeader.partition, value: String(next.original.partition) },
    { key: RetryHeader.offset, value: String(next.original.offset) },
    { key: RetryHeader.error, value: message.slice(0, MAX_ERROR_CHARS) }
  )
  if (next.delayMs !== null) out.push({ key: RetryHeader.delay, value: String(next.delayMs) })
  return out
}

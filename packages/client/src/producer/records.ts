// What callers hand to send(), what they get back, and the conversion to the protocol's RecordInput.
import type { RecordInput } from '@brook/protocol'

export type Bytes = Buffer | string | null

export interface ProducerRecord {
  key?: Bytes
  value: Bytes
  /** Record headers: an object (one value per key) or a list (repeated keys allowed). */
  headers?: Record<string, Buffer | string> | Array<{ key: string, value: Bytes }>
  /** Explicit partition: the partitioner is not consulted. */
  partition?: number
  /** CreateTime in ms; defaults to now. */
  timestamp?: number | bigint
}

export interface SendRequest {
  topic: string
  messages: ProducerRecord[]
}

export interface RecordMetadata {
  topic: string
  partition: number
  /** -1n with acks=0 (the broker does not say). */
  offset: bigint
  /** The broker's append time for LogAppendTime topics, else -1n. */
  logAppendTime: bigint
}

export function toBuffer (b: Bytes | undefined): Buffer | null {
  if (b === undefined || b === null) return null
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : b
}

export function toRecordInput (r: ProducerRecord, now: bigint, key: Buffer | null): RecordInput {
  let headers: RecordInput['headers']
  if (Array.isArray(r.headers)) headers = r.headers
  else if (r.headers !== undefined) headers = Object.entries(r.headers).map(([k, v]) => ({ key: k, value: v }))
  return {
    key,
    value: r.value ?? null,
    headers,
    timestamp: r.timestamp === undefined ? now : BigInt(r.timestamp)
  }
}

/** Bytes a record adds to a batch, estimated without encoding it (for batch.size). */
export function estimateSize (key: Buffer | null, r: ProducerRecord): number {
  let size = 21 + (key?.length ?? 0)
  const v = r.value
  size += v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length
  if (r.headers !== undefined) {
    const list = Array.isArray(r.headers) ? r.headers : Object.entries(r.headers).map(([k, value]) => ({ key: k, value }))
    for (const h of list) size += 4 + h.key.length + (h.value === null ? 0 : typeof h.value === 'string' ? Buffer.byteLength(h.value) : h.value.length)
  }
  return size
}

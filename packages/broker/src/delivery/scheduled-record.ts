// A record held by the broker until its delivery time, and its line in the schedule log. Lines
// are JSON, one per record, with the topic and the delivery time first so that a scan can count
// pending records per topic and find the earliest due time without parsing whole lines.
import type { RecordHeader } from '@brook/protocol'

export interface ScheduledRecord {
  /** Unique per record; a producer's retry of the same batch yields the same ids. */
  id: string
  /** Epoch ms at which it is appended to its partition. */
  deliverAt: number
  topic: string
  partition: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

interface Line {
  t: string
  a: number
  i: string
  p: number
  k: string | null
  v: string | null
  h: Array<[string, string | null]>
}

const b64 = (b: Buffer | null): string | null => b === null ? null : b.toString('base64')
const unb64 = (s: string | null): Buffer | null => s === null ? null : Buffer.from(s, 'base64')

export function encodeScheduled (r: ScheduledRecord): string {
  const line: Line = { t: r.topic, a: r.deliverAt, i: r.id, p: r.partition, k: b64(r.key), v: b64(r.value), h: r.headers.map((h) => [h.key, b64(h.value)]) }
  return JSON.stringify(line)
}

/** The record of a line, or null for a torn or foreign line (a crash mid-write leaves one at the end). */
export function decodeScheduled (text: string): ScheduledRecord | null {
  let line: Line
  try {
    line = JSON.parse(text) as Line
  } catch {
    // A torn last line: its append was never acknowledged.
    return null
  }
  if (typeof line.t !== 'string' || typeof line.a !== 'number' || typeof line.i !== 'string' || typeof line.p !== 'number' || !Array.isArray(line.h)) return null
  return {
    id: line.i,
    deliverAt: line.a,
    topic: line.t,
    partition: line.p,
    key: unb64(line.k),
    value: unb64(line.v),
    headers: line.h.map(([key, value]) => ({ key, value: unb64(value) }))
  }
}

const HEAD = /^\{"t":"([^"]*)","a":(-?\d+)/

/** Topic and delivery time of a line without parsing all of it; null when it is not a record line. */
export function peekScheduled (text: string): { topic: string, deliverAt: number } | null {
  const m = HEAD.exec(text)
  return m === null ? null : { topic: m[1] as string, deliverAt: Number(m[2]) }
}

// kcat-style format strings for consumed records: %t topic, %p partition, %o offset, %T timestamp
// (ms), %k key, %K key length, %s value, %S value length, %h headers (k=v,k=v), %% a percent
// sign; \n \t \r \\ escapes. Key and value bytes are written as they are.
import type { ConsumerMessage } from '@brook/client'
import { UsageError } from '../../errors.js'

type Part = Buffer | ((m: ConsumerMessage) => Buffer | string)

const FIELDS: Record<string, (m: ConsumerMessage) => Buffer | string> = {
  t: (m) => m.topic,
  p: (m) => String(m.partition),
  o: (m) => m.offset.toString(),
  T: (m) => m.timestamp.toString(),
  k: (m) => m.key ?? '',
  K: (m) => (m.key === null ? '-1' : String(m.key.length)),
  s: (m) => m.value ?? '',
  S: (m) => (m.value === null ? '-1' : String(m.value.length)),
  h: (m) => m.headers.map((h) => `${h.key}=${h.value === null ? '' : h.value.toString('utf8')}`).join(',')
}

export type Formatter = (m: ConsumerMessage, out: Buffer[]) => void

export function compileTemplate (template: string): Formatter {
  const parts: Part[] = []
  let literal = ''
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!
    const next = template[i + 1]
    if (c === '%' && next !== undefined) {
      i++
      if (next === '%') { literal += '%'; continue }
      const field = FIELDS[next]
      if (field === undefined) throw new UsageError(`unknown format token %${next}; use %t %p %o %T %k %K %s %S %h %%`)
      if (literal !== '') { parts.push(Buffer.from(literal)); literal = '' }
      parts.push(field)
    } else if (c === '\\' && next !== undefined) {
      i++
      literal += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next === '0' ? '\0' : next
    } else {
      literal += c
    }
  }
  if (literal !== '') parts.push(Buffer.from(literal))
  return (m, out) => {
    for (const part of parts) {
      if (Buffer.isBuffer(part)) out.push(part)
      else {
        const v = part(m)
        out.push(typeof v === 'string' ? Buffer.from(v) : v)
      }
    }
  }
}

/** One JSON object per line; key and value as UTF-8 text (null when absent). */
export const jsonLines: Formatter = (m, out) => {
  out.push(Buffer.from(JSON.stringify({
    topic: m.topic,
    partition: m.partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key === null ? null : m.key.toString('utf8'),
    value: m.value === null ? null : m.value.toString('utf8'),
    headers: m.headers.map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('utf8') }))
  }) + '\n'))
}

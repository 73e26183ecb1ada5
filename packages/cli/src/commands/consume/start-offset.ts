// Where a consume starts, as kcat's -o: beginning, end, stored (the group's committed offset),
// an absolute offset, -N (N before the end), +N (N after the beginning), or @time (first record at
// or after a timestamp: milliseconds or an ISO-8601 date-time).
import type { Admin } from '@brook/client'
import { UsageError } from '../../errors.js'
import { timestampOf } from '../common.js'

export type StartOffset =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'stored' }
  | { kind: 'absolute', offset: bigint }
  | { kind: 'fromEnd', count: bigint }
  | { kind: 'fromBeginning', count: bigint }
  | { kind: 'timestamp', ms: number }

export function startOffsetOf (spec: string): StartOffset {
  if (spec === 'beginning' || spec === 'earliest' || spec === 'start' || spec === 'oldest') return { kind: 'beginning' }
  if (spec === 'end' || spec === 'latest' || spec === 'newest') return { kind: 'end' }
  if (spec === 'stored' || spec === 'committed') return { kind: 'stored' }
  if (/^\d+$/.test(spec)) return { kind: 'absolute', offset: BigInt(spec) }
  if (/^-\d+$/.test(spec)) return { kind: 'fromEnd', count: BigInt(spec.slice(1)) }
  if (/^\+\d+$/.test(spec)) return { kind: 'fromBeginning', count: BigInt(spec.slice(1)) }
  if (spec.startsWith('@') || spec.startsWith('s@')) return { kind: 'timestamp', ms: timestampOf(spec.slice(spec.indexOf('@') + 1)) }
  throw new UsageError(`--offset ${spec}: use beginning, end, stored, N, -N, +N or @timestamp`)
}

/** The offset each partition starts at. */
export async function resolveStart (admin: Admin, topic: string, partitions: number[], start: StartOffset): Promise<Map<number, bigint>> {
  const [earliest, latest] = await Promise.all([admin.fetchTopicOffsets(topic, 'earliest'), admin.fetchTopicOffsets(topic, 'latest')])
  const at = start.kind === 'timestamp' ? await admin.fetchTopicOffsets(topic, { timestamp: start.ms }) : []
  const out = new Map<number, bigint>()
  for (const p of partitions) {
    const low = earliest.find((o) => o.partition === p)?.offset ?? 0n
    const high = latest.find((o) => o.partition === p)?.offset ?? 0n
    const clamp = (o: bigint): bigint => (o < low ? low : o > high ? high : o)
    switch (start.kind) {
      case 'beginning': out.set(p, low); break
      case 'end': out.set(p, high); break
      case 'absolute': out.set(p, start.offset); break
      case 'fromEnd': out.set(p, clamp(high - start.count)); break
      case 'fromBeginning': out.set(p, clamp(low + start.count)); break
      case 'timestamp': {
        // No record at or after the time: start at the end, as Kafka's tools do.
        const found = at.find((o) => o.partition === p)?.offset ?? -1n
        out.set(p, found < 0n ? high : found)
        break
      }
      case 'stored': throw new UsageError('--offset stored needs --group')
    }
  }
  return out
}

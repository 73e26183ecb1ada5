// The record headers that ask for scheduled delivery on a topic with delivery.schedule.enable:
//   brook.deliver.at  the delivery time, epoch milliseconds, as decimal text
//   brook.delay.ms    a delay from the broker's receipt, milliseconds, as decimal text
// brook.deliver.at wins when both are present. A value that is not a non-negative decimal
// integer (or is beyond MAX_SCHEDULE_AHEAD_MS) is malformed: the batch is refused with
// INVALID_RECORD. A time already past is delivered at once, as an ordinary record.
import type { RecordHeader } from '@brook/protocol'

export const DELIVER_AT_HEADER = 'brook.deliver.at'
export const DELAY_HEADER = 'brook.delay.ms'
/** How far ahead a record may be scheduled: ten years. */
export const MAX_SCHEDULE_AHEAD_MS = 10 * 365 * 24 * 3_600_000

export type DeliveryTime =
  | { kind: 'now' }
  | { kind: 'at', at: number }
  | { kind: 'malformed', message: string }

function decimal (value: Buffer | null): number | null {
  if (value === null) return null
  const text = value.toString('latin1').trim()
  if (!/^\d{1,16}$/.test(text)) return null
  return Number(text)
}

export function deliveryTime (headers: readonly RecordHeader[], now: number): DeliveryTime {
  let at: Buffer | null | undefined
  let delay: Buffer | null | undefined
  for (const h of headers) {
    if (h.key === DELIVER_AT_HEADER) at = h.value
    else if (h.key === DELAY_HEADER) delay = h.value
  }
  if (at === undefined && delay === undefined) return { kind: 'now' }
  const name = at !== undefined ? DELIVER_AT_HEADER : DELAY_HEADER
  const parsed = decimal(at !== undefined ? at : (delay as Buffer | null))
  if (parsed === null) return { kind: 'malformed', message: `header ${name} must be a non-negative decimal integer` }
  const when = at !== undefined ? parsed : now + parsed
  if (when - now > MAX_SCHEDULE_AHEAD_MS) return { kind: 'malformed', message: `header ${name} is more than ten years ahead` }
  return when <= now ? { kind: 'now' } : { kind: 'at', at: when }
}

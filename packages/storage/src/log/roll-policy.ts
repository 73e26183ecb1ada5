// When the active segment must give way to a new one before an append (Kafka's
// LogSegment.shouldRoll): it would pass segment.bytes, it has waited segment.ms, an index is full,
// or the append's last offset does not fit a 32-bit offset relative to the segment base.
import type { LogConfig } from '../types.js'
import type { LogSegment } from '../segment/log-segment.js'
import type { OffsetIndex } from '../segment/offset-index.js'
import type { TimeIndex } from '../segment/time-index.js'

export interface RollInput {
  /** Bytes about to be appended to the segment. */
  bytes: number
  lastOffset: number
  /** Largest batch timestamp of the append (-1 when none). */
  maxTimestamp: number
  now: number
}

export function shouldRoll (seg: LogSegment, oi: OffsetIndex, ti: TimeIndex, config: LogConfig, input: RollInput): boolean {
  if (input.lastOffset - seg.baseOffset > 0x7fffffff) return true
  if (seg.size === 0) return false
  if (seg.size > config.segmentBytes - input.bytes) return true
  if (oi.isFull || ti.isFull) return true
  // segment.ms counts from the first batch's timestamp when there is one, else from creation.
  const waited = seg.rollingBasedTimestamp !== null && seg.rollingBasedTimestamp >= 0 && input.maxTimestamp >= 0
    ? input.maxTimestamp - seg.rollingBasedTimestamp
    : input.now - seg.created
  return waited > config.segmentMs
}

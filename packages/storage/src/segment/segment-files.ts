// File names inside a partition directory, as Kafka names them:
//   <20-digit zero-padded base offset>.log | .index | .timeindex | .txnindex
// with a trailing status suffix while a file is on its way out or in:
//   .deleted  removed from the log, unlinked after file.delete.delay.ms
//   .cleaned  being written by the cleaner (deleted on recovery)
//   .swap     complete cleaner output replacing the segments it covers (finished on recovery)
export const LOG_EXT = '.log'
export const OFFSET_INDEX_EXT = '.index'
export const TIME_INDEX_EXT = '.timeindex'
export const TXN_INDEX_EXT = '.txnindex'
export const SEGMENT_EXTS = [LOG_EXT, OFFSET_INDEX_EXT, TIME_INDEX_EXT, TXN_INDEX_EXT] as const
export type SegmentExt = typeof SEGMENT_EXTS[number]

export const DELETED_SUFFIX = '.deleted'
export const CLEANED_SUFFIX = '.cleaned'
export const SWAP_SUFFIX = '.swap'
export type StatusSuffix = '' | typeof DELETED_SUFFIX | typeof CLEANED_SUFFIX | typeof SWAP_SUFFIX

function offsetName (baseOffset: number): string {
  return String(baseOffset).padStart(20, '0')
}

export function segmentFileName (baseOffset: number, ext: SegmentExt, suffix: StatusSuffix = ''): string {
  return offsetName(baseOffset) + ext + suffix
}

export interface ParsedSegmentFile {
  baseOffset: number
  ext: SegmentExt
  suffix: StatusSuffix
}

const NAME = /^(\d{20})(\.log|\.index|\.timeindex|\.txnindex)(\.deleted|\.cleaned|\.swap)?$/

export function parseSegmentFileName (name: string): ParsedSegmentFile | null {
  const m = NAME.exec(name)
  if (m === null) return null
  const baseOffset = Number(m[1])
  if (!Number.isSafeInteger(baseOffset)) return null
  return { baseOffset, ext: m[2] as SegmentExt, suffix: (m[3] ?? '') as StatusSuffix }
}

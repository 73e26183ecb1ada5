// Kafka's topic-level defaults (TopicConfig / LogConfig in Kafka 3.x-4.x). Long.MAX_VALUE settings
// ("never") are Number.MAX_SAFE_INTEGER here; anything at or above NEVER is treated as never.
import type { LogConfig } from './types.js'

export const NEVER = Number.MAX_SAFE_INTEGER

export const defaultLogConfig: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  cleanupPolicy: Object.freeze(['delete'] as const),
  deleteRetentionMs: 24 * 60 * 60 * 1000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: NEVER,
  flushMessages: NEVER,
  flushMs: NEVER,
  fileDeleteDelayMs: 60_000,
  messageTimestampType: 'CreateTime',
  preallocate: false
})

/** A timer delay Node can honour (setTimeout fires at once past 2^31-1 ms); null for "never". */
export function timerDelay (ms: number): number | null {
  if (!Number.isFinite(ms) || ms >= 0x7fffffff || ms < 0) return null
  return ms
}

export function isNever (value: number): boolean {
  return !Number.isFinite(value) || value >= NEVER
}

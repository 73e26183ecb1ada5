// Test helpers: batch building (the records builder), a seeded PRNG, logs on the in-memory fs,
// and reading a whole log back as records.
import { buildBatchSync, decodeBatchSync, iterateBatches, Compression, TimestampType } from '@brook/protocol'
import { defaultLogConfig } from '../src/config.js'
import { MemoryFileSystem } from '../src/fs/memory-fs.js'
import type { FileSystem } from '../src/fs/file-system.js'
import { LogManager, type LogManagerOptions } from '../src/log-manager.js'
import type { Log } from '../src/log/partition-log.js'
import type { LogConfig } from '../src/types.js'

export function randInt (random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1))
}

export interface TestRecord {
  key: string | null
  value: string | null
  timestamp: number
}

export interface BatchOptions {
  compression?: Compression
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  logAppendTime?: boolean
}

export function batchOf (records: TestRecord[], options: BatchOptions = {}): Buffer {
  return buildBatchSync({
    records: records.map((r) => ({ key: r.key, value: r.value, timestamp: BigInt(r.timestamp) })),
    compression: options.compression ?? Compression.None,
    timestampType: options.logAppendTime === true ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    ...(options.producerId === undefined ? {} : { producerId: options.producerId, producerEpoch: options.producerEpoch ?? 0, baseSequence: options.baseSequence ?? 0 })
  })
}

/** A batch of `count` records with values of `valueSize` bytes, all at `timestamp`. */
export function simpleBatch (count: number, timestamp: number, valueSize = 10, tag = 'v'): Buffer {
  const value = tag.repeat(Math.ceil(valueSize / tag.length)).slice(0, valueSize)
  return batchOf(Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value, timestamp: timestamp + i })))
}

export interface ReadRecord {
  offset: number
  key: string | null
  value: string | null
  timestamp: number
}

/** Every record of the log from `from` (default log start) to the log end, via read(). */
export async function readAll (log: Log, from = log.logStartOffset, maxBytes = 64 * 1024): Promise<ReadRecord[]> {
  const out: ReadRecord[] = []
  let offset = from
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, { maxBytes, minOneBatch: true })
    if (r.bytes === 0) break
    let last = offset - 1
    for (const chunk of r.chunks) {
      for (const batch of iterateBatches(chunk)) {
        const d = decodeBatchSync(batch)
        last = Number(d.header.baseOffset) + d.header.lastOffsetDelta
        for (const rec of d.records) {
          if (Number(rec.offset) < offset) continue
          out.push({ offset: Number(rec.offset), key: rec.key?.toString() ?? null, value: rec.value?.toString() ?? null, timestamp: Number(rec.timestamp) })
        }
      }
    }
    offset = last + 1
  }
  return out
}

export function testConfig (overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...defaultLogConfig, segmentBytes: 64 * 1024, indexIntervalBytes: 512, segmentIndexBytes: 8 * 1024, fileDeleteDelayMs: 0, ...overrides }
}

export async function openManager (fs: FileSystem, config: LogConfig, options: Partial<LogManagerOptions> = {}): Promise<LogManager> {
  const manager = new LogManager({ fs, logDirs: ['/data'], defaults: config, scheduler: false, ...options })
  await manager.open()
  return manager
}

export async function memoryLog (config: Partial<LogConfig> = {}): Promise<{ fs: MemoryFileSystem, manager: LogManager, log: Log }> {
  const fs = new MemoryFileSystem()
  const manager = await openManager(fs, testConfig(config))
  const log = await manager.createOrGetLog('t', 0)
  return { fs, manager, log }
}

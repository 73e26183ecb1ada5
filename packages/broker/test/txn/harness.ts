// A transaction coordinator over in-memory logs, a recording marker writer and hand-moved time.
import { ErrorCode } from '@brook/protocol'
import { MemoryCoordinatorLog } from '../../src/coordinator/log.js'
import { ManualTime } from '@brook/common'
import { createLogger } from '../../src/logger.js'
import type { TxnCoordinatorConfig } from '../../src/txn/config.js'
import { TransactionCoordinator } from '../../src/txn/coordinator.js'
import type { MarkerWriter, TxnMarker } from '../../src/txn/markers.js'
import type { TopicPartition } from '../../src/txn/metadata.js'
import { TxnRuntime } from '../../src/txn/runtime.js'

const silent = createLogger({ level: 'silent' })

const testConfig: TxnCoordinatorConfig = {
  numPartitions: 3,
  segmentBytes: 1 << 20,
  maxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 604_800_000,
  abortTimedOutIntervalMs: 10_000,
  removeExpiredIntervalMs: 3_600_000,
  markerRetryBackoffMs: 100
}

export class RecordingMarkers implements MarkerWriter {
  readonly written: Array<TopicPartition & TxnMarker> = []
  /** Partition key -> error codes to answer before succeeding. */
  readonly failures = new Map<string, number[]>()

  async write (tp: TopicPartition, marker: TxnMarker): Promise<number> {
    await Promise.resolve()
    const queued = this.failures.get(`${tp.topic}-${tp.partition}`)
    const code = queued?.shift()
    if (code !== undefined) return code
    this.written.push({ ...tp, ...marker })
    return ErrorCode.NONE
  }
}

export interface Harness {
  coordinator: TransactionCoordinator
  runtime: TxnRuntime
  logs: MemoryCoordinatorLog[]
  markers: RecordingMarkers
  time: ManualTime
  nextProducerId: () => number
}

/** `start: false` leaves the runtime unstarted (the first request starts it); `gate` holds every partition's load until it resolves. */
/** `elected`: cluster mode, no partition is owned until runtime.elect(). */
export async function startHarness (options: { logs?: MemoryCoordinatorLog[], markers?: RecordingMarkers, time?: ManualTime, config?: Partial<TxnCoordinatorConfig>, firstProducerId?: number, start?: boolean, gate?: Promise<void>, elected?: boolean } = {}): Promise<Harness> {
  const config = { ...testConfig, ...options.config }
  const logs = options.logs ?? Array.from({ length: config.numPartitions }, () => new MemoryCoordinatorLog())
  const time = options.time ?? new ManualTime()
  const markers = options.markers ?? new RecordingMarkers()
  let next = options.firstProducerId ?? 1000
  const runtime = new TxnRuntime({
    numPartitions: config.numPartitions,
    openLog: async (p) => {
      await options.gate
      return logs[p] as MemoryCoordinatorLog
    },
    logger: silent,
    now: () => time.now(),
    ...(options.elected === true ? { ownership: 'elected' as const } : {})
  })
  const coordinator = new TransactionCoordinator({
    runtime, config, markers, clock: time, timer: time, logger: silent, allocateProducerId: async () => next++
  })
  if (options.start !== false) {
    await runtime.start()
    coordinator.start()
  }
  return { coordinator, runtime, logs, markers, time, nextProducerId: () => next }
}

async function settle (h: Harness): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setImmediate(resolve))
    await h.coordinator.idle()
  }
}

/**
 * Moves time in steps of at most `step` ms, letting the async work each timer starts finish
 * before the next step (periodic timers re-arm only once their work is done).
 */
export async function advance (h: Harness, ms: number, step = 1000): Promise<void> {
  let left = ms
  do {
    const by = Math.min(step, left)
    h.time.advance(by)
    left -= by
    await settle(h)
  } while (left > 0)
}

// Batch descriptors for producer-state tests: what readProducerBatch yields for real batches.
import type { ProducerBatch } from '../../src/producer-state/producer-batch.js'

export interface DataOptions {
  pid?: bigint
  epoch?: number
  seq: number
  count?: number
  offset: number
  txn?: boolean
  ts?: number
}

export function data (o: DataOptions): ProducerBatch {
  const count = o.count ?? 1
  return {
    baseOffset: o.offset,
    lastOffsetDelta: count - 1,
    producerId: o.pid ?? 1n,
    producerEpoch: o.epoch ?? 0,
    baseSequence: o.seq,
    maxTimestamp: o.ts ?? 1000,
    isTransactional: o.txn ?? false,
    isControl: false,
    marker: null
  }
}

export interface MarkerOptions {
  pid?: bigint
  epoch?: number
  offset: number
  commit: boolean
  coordinatorEpoch?: number
  ts?: number
}

export function marker (o: MarkerOptions): ProducerBatch {
  return {
    baseOffset: o.offset,
    lastOffsetDelta: 0,
    producerId: o.pid ?? 1n,
    producerEpoch: o.epoch ?? 0,
    baseSequence: -1,
    maxTimestamp: o.ts ?? 1000,
    isTransactional: true,
    isControl: true,
    marker: { commit: o.commit, coordinatorEpoch: o.coordinatorEpoch ?? 0 }
  }
}


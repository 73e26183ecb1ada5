// Producer state rebuilt from a log's batches alone, in log order: what recovery does after the
// last snapshot, and the reference the incremental state must equal (tests).
import type { ProducerBatch } from './producer-batch.js'
import { type ProducerStateConfig, ProducerStateManager } from './producer-state-manager.js'

export function rebuildProducerState (batches: Iterable<ProducerBatch>, config: ProducerStateConfig, startOffset = 0): ProducerStateManager {
  const manager = new ProducerStateManager(config, startOffset)
  for (const batch of batches) manager.append([batch], 'replication')
  return manager
}

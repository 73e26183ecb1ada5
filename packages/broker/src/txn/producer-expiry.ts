// Producer id expiry on every partition (Kafka schedules it per log): every
// producer.id.expiration.check.interval.ms, each partition drops the producers that have written
// nothing for producer.id.expiration.ms and have no open transaction. Their next batch is then
// accepted at any sequence, as from a new producer (KIP-360).
import type { Logger } from '@brook/common'
import type { ReplicaManager } from '../partition/replica-manager.js'

export function startProducerExpiry (replicas: ReplicaManager, intervalMs: number, expirationMs: number, logger: Logger): () => void {
  const timer = setInterval(() => {
    const now = Date.now()
    let removed = 0
    for (const topic of replicas.topics()) {
      for (const partition of topic.partitions) removed += partition?.log.removeExpiredProducers(now, expirationMs) ?? 0
    }
    if (removed > 0) logger.info({ removed }, 'expired idle producer ids')
  }, intervalMs)
  timer.unref()
  return () => { clearInterval(timer) }
}

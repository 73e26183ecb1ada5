// Fetch from the closest replica (KIP-392). A leader configured with replica.selector.class =
// Kafka's RackAwareReplicaSelector tells a consumer that names its rack (Fetch v11+ rack_id,
// client.rack) to read from a replica in that rack: the leader itself when it is there, else the
// most caught-up in-sync follower there whose log reaches the fetch offset and that caught up
// within replica.lag.time.max.ms. Without a selector, or when no replica is in the client's
// rack, the leader serves. Followers serve such reads up to their own high watermark (which
// never passes the leader's), so a consumer never sees a record that is not committed.
import type { MetadataSnapshot } from '@brook/metadata'
import type { BrokerConfig } from '../config/broker-config.js'
import type { Partition } from '../partition/partition.js'

const RACK_AWARE_SELECTOR = 'org.apache.kafka.common.replica.RackAwareReplicaSelector'
/** The first version whose requests carry client metadata (rack_id): followers serve those. */
export const FOLLOWER_READS_MIN_VERSION = 11

export function rackAwareSelection (config: BrokerConfig): boolean {
  return config.string('replica.selector.class') === RACK_AWARE_SELECTOR
}

/** The replica this consumer should read from, or -1 for this leader. */
export function preferredReadReplica (partition: Partition, snapshot: MetadataSnapshot, config: BrokerConfig,
  nodeId: number, clientRack: string, fetchOffset: number, now: number): number {
  const replication = partition.replication
  if (clientRack === '' || replication === null) return -1
  if (config.string('broker.rack') === clientRack) return -1
  const lagMs = config.int('replica.lag.time.max.ms')
  let best = -1
  let bestEnd = -1
  for (const id of replication.isr) {
    if (id === nodeId) continue
    const progress = replication.followers.get(id)
    const reg = snapshot.brokers.get(id)
    if (progress === undefined || reg === undefined || reg.rack !== clientRack) continue
    if (progress.logEndOffset < fetchOffset || now - progress.lastCaughtUpMs > lagMs) continue
    if (progress.logEndOffset > bestEnd) {
      best = id
      bestEnd = progress.logEndOffset
    }
  }
  return best
}

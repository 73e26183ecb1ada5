// Shared by the cluster-operations tests: settings for quick failure detection, and every
// partition's state of a topic as the live brokers report it.
import { partitionState, type PartitionState, type TestCluster, waitFor } from '@brook/testkit'

/** Quick ISR shrink and fetch retries, no auto-creation, and no automatic rebalance unless a test asks. */
export const OPS_SETTINGS: Record<string, string> = {
  'replica.lag.time.max.ms': '4000',
  'replica.fetch.backoff.ms': '100',
  'replica.fetch.wait.max.ms': '200',
  'auto.create.topics.enable': 'false',
  'auto.leader.rebalance.enable': 'false'
}

async function partitionStates (cluster: TestCluster, topic: string, count: number): Promise<Array<PartitionState | null>> {
  const out: Array<PartitionState | null> = []
  for (let i = 0; i < count; i++) out.push(await partitionState(cluster, topic, i))
  return out
}

/** Waits until every partition of the topic satisfies `ok`; returns the states then. */
export async function waitForPartitions (cluster: TestCluster, topic: string, count: number, ok: (s: PartitionState) => boolean,
  message: string, timeoutMs = 30_000): Promise<PartitionState[]> {
  return await waitFor(async () => {
    const states = await partitionStates(cluster, topic, count)
    return states.every((s) => s !== null && ok(s)) ? states as PartitionState[] : null
  }, timeoutMs, { message })
}

export const onPreferred = (s: PartitionState): boolean => s.leader === s.replicas[0]

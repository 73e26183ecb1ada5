// One partition change the controller writes to the store (an election, a reassignment step):
// decided against the latest snapshot, written as a compare-and-swap fenced by the controller's
// election. A write that raced another writer (the partition moved on, or a replica left) is
// decided again from the newer state, a few times, with a growing pause.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '@brook/common'
import { type ControllerSession, type MetadataSnapshot, type PartitionMetadata, type TopicMetadata, isMetadataError } from '@brook/metadata'
import { ErrorCode } from '@brook/protocol'

const ATTEMPTS = 5
const RETRY_MS = 50

export interface PartitionChangeTarget {
  topic: string
  partition: number
}

export interface PartitionChangeOutcome {
  errorCode: number
  message: string | null
}

/** What one attempt decided: a final outcome, or a store write whose success is the outcome NONE. */
export type PartitionChangeDecision = PartitionChangeOutcome | { write: () => Promise<void> }

export interface PartitionChangeDeps {
  election: ControllerSession
  snapshot: () => MetadataSnapshot
  logger: Logger
}

/**
 * Decides and writes one partition's change, deciding again when the write raced another
 * writer. `failure` names the change in the log line of an unexpected error.
 */
export async function changePartitionWithRetry (deps: PartitionChangeDeps, target: PartitionChangeTarget, failure: string,
  decide: (snapshot: MetadataSnapshot, topic: TopicMetadata, p: PartitionMetadata) => PartitionChangeDecision): Promise<PartitionChangeOutcome> {
  for (let attempt = 1; ; attempt++) {
    if (!deps.election.active) return { errorCode: ErrorCode.NOT_CONTROLLER, message: 'This broker is no longer the controller.' }
    const snapshot = deps.snapshot()
    const topic = snapshot.topics.get(target.topic)
    const p = topic?.partitions[target.partition]
    if (topic === undefined || p === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: 'This server does not host this topic-partition.' }
    const decision = decide(snapshot, topic, p)
    if (!('write' in decision)) return decision
    try {
      await decision.write()
      return { errorCode: ErrorCode.NONE, message: null }
    } catch (err) {
      const raced = isMetadataError(err, 'INVALID_UPDATE_VERSION') || isMetadataError(err, 'FENCED_LEADER_EPOCH') || isMetadataError(err, 'INELIGIBLE_REPLICA')
      if (raced && attempt < ATTEMPTS) {
        await sleep(RETRY_MS * attempt)
        continue
      }
      if (isMetadataError(err)) return { errorCode: err.errorCode, message: err.message }
      deps.logger.error({ err, topic: target.topic, partition: target.partition }, failure)
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message: (err as Error).message }
    }
  }
}

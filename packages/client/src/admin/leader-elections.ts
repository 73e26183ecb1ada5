// ElectLeaders (43) through the admin API: a preferred election puts each partition's first
// replica back in the lead; an unclean one gives a leaderless partition a leader, from outside
// the ISR if it must. Partition results carry Kafka's codes: ELECTION_NOT_NEEDED is an answer,
// not a failure (the partition is already as asked).
import { electLeadersApi, ErrorCode } from '@brook/protocol'
import type { Connection } from '../connection/connection.js'
import { kafkaError } from '../errors/kafka-errors.js'

export type ElectionTypeName = 'preferred' | 'unclean'
const ELECTION_TYPES: Record<ElectionTypeName, number> = { preferred: 0, unclean: 1 }

export interface ElectionResult {
  topic: string
  partition: number
  /** Kafka's error code: NONE (elected), ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE... */
  errorCode: number
  errorMessage: string | null
}

export async function electLeaders (connection: Connection, type: ElectionTypeName,
  partitions: ReadonlyArray<{ topic: string, partitions: number[] }> | null, timeoutMs: number): Promise<ElectionResult[]> {
  const r = await connection.request(electLeadersApi, {
    electionType: ELECTION_TYPES[type],
    topicPartitions: partitions === null ? null : partitions.map((p) => ({ topic: p.topic, partitions: p.partitions })),
    timeoutMs
  })
  if ((r.errorCode ?? ErrorCode.NONE) !== ErrorCode.NONE) throw kafkaError(r.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, 'ElectLeaders')
  return r.replicaElectionResults.flatMap((t) => t.partitionResult.map((p) => ({
    topic: t.topic,
    partition: p.partitionId,
    errorCode: p.errorCode,
    errorMessage: p.errorMessage ?? null
  })))
}

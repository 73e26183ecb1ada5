// Asks every running broker for a partition's latest offset (ListOffsets, timestamp -1: the high
// watermark) over and over during a run, one request at a time, and records the answers in the
// order they came back. A new leader that does not know the high watermark yet must answer
// OFFSET_NOT_AVAILABLE (KIP-207) rather than an offset below one already served, so the offsets
// from every broker, taken together in answer order, never go back.
import { setTimeout as sleep } from 'node:timers/promises'
import { ErrorCode, listOffsetsApi } from '@brook/protocol'
import { requestTo, type TestCluster } from '@brook/testkit'

export interface LatestOffsetWatch {
  /** Answers that were lower than an earlier one: "broker 2: 140 after 151". */
  readonly backwards: readonly string[]
  readonly answers: () => number
  /** How many times a broker answered OFFSET_NOT_AVAILABLE (a leader still learning the HW). */
  readonly notAvailable: () => number
  stop: () => Promise<void>
}

export function watchLatestOffset (cluster: TestCluster, topic: string, partition = 0): LatestOffsetWatch {
  const backwards: string[] = []
  let highest = -1n
  let answers = 0
  let notAvailable = 0
  let stopped = false
  const polling = (async () => {
    while (!stopped) {
      for (const m of cluster.members.values()) {
        if (m.process === null || stopped) continue
        try {
          const response = await requestTo(m.port, listOffsetsApi, 7, {
            replicaId: -1,
            isolationLevel: 0,
            topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1n }] }]
          }, 2000)
          const p = response.topics[0]?.partitions[0]
          if (p?.errorCode === ErrorCode.OFFSET_NOT_AVAILABLE) notAvailable++
          if (p?.errorCode !== ErrorCode.NONE || p.offset === undefined) continue // a follower, or no leader yet
          answers++
          if (p.offset < highest) backwards.push(`broker ${m.id}: ${p.offset} after ${highest}`)
          else highest = p.offset
        } catch {
          // A broker that is starting or was just killed: ask the next one.
        }
      }
      await sleep(50)
    }
  })()
  return {
    backwards,
    answers: () => answers,
    notAvailable: () => notAvailable,
    stop: async () => {
      stopped = true
      await polling
    }
  }
}

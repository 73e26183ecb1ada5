// Answers every partition a request named, in request order, from the coordinator's result for
// the partitions it was given; a partition the broker filtered out before (an unknown topic or
// partition) gets UNKNOWN_TOPIC_OR_PARTITION.
import { ErrorCode } from '@brook/protocol'

interface Named { name: string, partitions: ReadonlyArray<{ partitionIndex: number }> }
interface Answered { name: string, partitions: ReadonlyArray<{ partitionIndex: number, errorCode: number }> }

export function answerRequested (requested: readonly Named[], result: readonly Answered[]): Array<{ name: string, partitions: Array<{ partitionIndex: number, errorCode: number }> }> {
  const answered = new Map<string, number>()
  for (const t of result) for (const p of t.partitions) answered.set(`${t.name}\u0000${p.partitionIndex}`, p.errorCode)
  return requested.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      errorCode: answered.get(`${t.name}\u0000${p.partitionIndex}`) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    }))
  }))
}

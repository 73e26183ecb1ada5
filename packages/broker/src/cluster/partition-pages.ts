// Paging topics and partitions for DescribeTopicPartitions (KIP-966), as Kafka's
// DescribeTopicPartitionsRequestHandler and metadata cache do: topics are taken in name order
// starting at the cursor's topic (and, in that topic, at the cursor's partition); partitions are
// given out until the limit is spent. A topic cut short sets the next cursor to its first
// partition left out; a limit spent exactly at a topic's end points the cursor at the next
// topic's partition 0 (whether or not that topic exists).
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'

interface PageCursor {
  topicName: string
  partitionIndex: number
}

export interface PageRequest {
  /** The requested names; empty means every topic (then unknown names cannot occur). */
  names: readonly string[]
  /** Every existing topic name (used when `names` is empty). */
  allNames: () => readonly string[]
  cursor: PageCursor | null
  /** Already clamped to [1, max.request.partition.size.limit]. */
  limit: number
  partitionCount: (name: string) => number | undefined
}

export type PageEntry =
  | { name: string, exists: true, first: number, end: number }
  | { name: string, exists: false }

export interface Page {
  entries: PageEntry[]
  next: PageCursor | null
}

/** Throws INVALID_REQUEST as Kafka does for a cursor outside the request. */
export function pagePartitions (request: PageRequest): Page {
  const { cursor } = request
  const from = cursor?.topicName ?? ''
  const everything = request.names.length === 0
  const names = [...new Set((everything ? request.allNames() : request.names).filter((n) => n >= from))].sort(compareNames)
  if (cursor !== null && !everything && !names.includes(cursor.topicName)) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `the topic list must contain the cursor topic ${cursor.topicName}`)
  }
  if (cursor !== null && cursor.partitionIndex < 0) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `the cursor partition must be valid: ${cursor.partitionIndex}`)
  }
  const entries: PageEntry[] = []
  let remaining = request.limit
  for (const name of names) {
    if (remaining === 0) return { entries, next: { topicName: name, partitionIndex: 0 } }
    const count = request.partitionCount(name)
    if (count === undefined) {
      // Kafka drops unknown topics silently when listing everything (none can be unknown then).
      if (!everything) entries.push({ name, exists: false })
      continue
    }
    const first = cursor !== null && name === cursor.topicName ? cursor.partitionIndex : 0
    const end = Math.min(count, first + remaining)
    entries.push({ name, exists: true, first, end })
    if (end < count) return { entries, next: { topicName: name, partitionIndex: end } }
    remaining -= Math.max(0, end - first)
  }
  return { entries, next: null }
}

/** Java's String.compareTo order (UTF-16 code units), which JS string comparison matches. */
function compareNames (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

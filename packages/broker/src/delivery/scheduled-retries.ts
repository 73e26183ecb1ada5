// Idempotent producers on scheduling topics. Their batches are split (scheduled records leave the
// batch) so the partition's own sequence checks cannot see every record: the broker appends
// what stays with the coordinator's origin (epoch checks, no sequence checks) and recognises
// retries here instead, as the log's producer state does for ordinary topics: a batch identical
// (producer, epoch, sequence range) to one of the producer's last five on the partition is a
// duplicate, answered with the first answer. Kept in memory (a retry spans seconds, not restarts;
// records of a batch retried after a restart keep the same ids, see scheduled-produce.ts).
const PER_PRODUCER = 5
const MAX_PRODUCERS = 100_000

export interface ProduceAnswer {
  baseOffset: number
  logAppendTime: number
  logStartOffset: number
}

interface Remembered { epoch: number, first: number, last: number, answer: ProduceAnswer }

export class ScheduledRetries {
  readonly #byProducer = new Map<string, Remembered[]>()

  find (topicPartition: string, producerId: bigint, epoch: number, first: number, last: number): ProduceAnswer | null {
    const list = this.#byProducer.get(`${topicPartition}\u0000${producerId}`)
    return list?.find((r) => r.epoch === epoch && r.first === first && r.last === last)?.answer ?? null
  }

  remember (topicPartition: string, producerId: bigint, epoch: number, first: number, last: number, answer: ProduceAnswer): void {
    const key = `${topicPartition}\u0000${producerId}`
    let list = this.#byProducer.get(key)
    if (list === undefined) {
      if (this.#byProducer.size >= MAX_PRODUCERS) {
        // The oldest producer first (insertion order): idle ones age out.
        const oldest = this.#byProducer.keys().next().value
        if (oldest !== undefined) this.#byProducer.delete(oldest)
      }
      this.#byProducer.set(key, list = [])
    }
    // A new epoch forgets the old one's batches.
    if (list.length > 0 && (list[0] as Remembered).epoch !== epoch) list.length = 0
    list.push({ epoch, first, last, answer })
    if (list.length > PER_PRODUCER) list.shift()
  }
}

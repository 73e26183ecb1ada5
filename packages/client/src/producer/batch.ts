// A producer batch: records for one partition, closed when full or when linger.ms runs out, then
// built once (sequence numbers fixed at that moment, so a retry resends the same bytes).
// Each send() call is a SendCall; a batch remembers which call and slot each record belongs to,
// so one call settles once, when the last of its records is acknowledged.
import type { RecordInput } from '@brook/protocol'
import type { RecordMetadata } from './records.js'

export class SendCall {
  private remaining: number
  readonly results: RecordMetadata[]
  private settled = false
  constructor (count: number, private readonly resolve: (r: RecordMetadata[]) => void, private readonly reject: (e: Error) => void) {
    this.remaining = count
    this.results = new Array<RecordMetadata>(count)
    if (count === 0) this.finish()
  }

  done (slot: number, result: RecordMetadata): void {
    if (this.settled) return
    this.results[slot] = result
    if (--this.remaining === 0) this.finish()
  }

  fail (err: Error): void {
    if (this.settled) return
    this.settled = true
    this.reject(err)
  }

  private finish (): void {
    this.settled = true
    this.resolve(this.results)
  }
}

export class ProducerBatch {
  readonly records: RecordInput[] = []
  readonly calls: SendCall[] = []
  readonly slots: number[] = []
  bytes = 0
  baseSequence = -1
  built: Buffer | null = null
  attempts = 0
  constructor (readonly topic: string, readonly partition: number, readonly createdAt: number) {}

  add (record: RecordInput, call: SendCall, slot: number, size: number): void {
    this.records.push(record)
    this.calls.push(call)
    this.slots.push(slot)
    this.bytes += size
  }

  succeed (baseOffset: bigint, logAppendTime: bigint): void {
    for (let i = 0; i < this.calls.length; i++) {
      this.calls[i]!.done(this.slots[i]!, {
        topic: this.topic,
        partition: this.partition,
        offset: baseOffset < 0n ? -1n : baseOffset + BigInt(i),
        logAppendTime
      })
    }
  }

  fail (err: Error): void {
    for (const call of this.calls) call.fail(err)
  }
}

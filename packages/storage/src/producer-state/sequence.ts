// Producer sequence numbers are int32 and wrap from Int32.MAX to 0 (Kafka's DefaultRecordBatch
// incrementSequence/decrementSequence): a batch whose baseSequence is near the top may end past
// the wrap, and the batch after Int32.MAX starts at 0.

export const INT32_MAX = 0x7fffffff
export const NO_SEQUENCE = -1
export const NO_PRODUCER_EPOCH = -1

/** seq + n, wrapping past Int32.MAX to 0. */
export function incrementSequence (seq: number, n: number): number {
  return seq > INT32_MAX - n ? n - (INT32_MAX - seq) - 1 : seq + n
}

/** seq - n, wrapping below 0 to Int32.MAX. */
export function decrementSequence (seq: number, n: number): number {
  return seq < n ? INT32_MAX - (n - seq) + 1 : seq - n
}

/** Whether `next` is the sequence right after `last`. */
export function isNextSequence (last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === INT32_MAX)
}

// Acknowledgements of a share consumer (KIP-932): per share-partition, the type chosen for each
// delivered offset, turned into the wire's acknowledgement batches (ascending, non-overlapping
// runs of consecutive offsets; one type for a run that has one, else a type per offset).
// GAP marks offsets that were acquired but carried no record for the reader (control records);
// RENEW extends a record's acquisition lock and leaves it acquired.

export type AcknowledgeType = 'accept' | 'release' | 'reject'

export const AckCode = { GAP: 0, ACCEPT: 1, RELEASE: 2, REJECT: 3, RENEW: 4 } as const

export function ackCode (type: AcknowledgeType): number {
  switch (type) {
    case 'accept': return AckCode.ACCEPT
    case 'release': return AckCode.RELEASE
    case 'reject': return AckCode.REJECT
  }
}

export interface WireAckBatch { firstOffset: bigint, lastOffset: bigint, acknowledgeTypes: number[] }

export function toWireBatches (acks: ReadonlyMap<bigint, number>): WireAckBatch[] {
  const offsets = [...acks.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const out: WireAckBatch[] = []
  let run: { first: bigint, last: bigint, types: number[] } | null = null
  const flush = (): void => {
    if (run === null) return
    const same = run.types.every((t) => t === run!.types[0])
    out.push({ firstOffset: run.first, lastOffset: run.last, acknowledgeTypes: same ? [run.types[0]!] : run.types })
  }
  for (const o of offsets) {
    if (run !== null && o === run.last + 1n) {
      run.last = o
      run.types.push(acks.get(o)!)
      continue
    }
    flush()
    run = { first: o, last: o, types: [acks.get(o)!] }
  }
  flush()
  return out
}

/** The outcome of one share-partition's acknowledgements: null, or the error the broker gave. */
export interface AcknowledgementResult {
  topic: string
  partition: number
  offsets: bigint[]
  error: Error | null
}

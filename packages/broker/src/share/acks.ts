// Acknowledgement batches as ShareFetch and ShareAcknowledge carry them, checked before anything
// is applied (Kafka's validation): each batch has first <= last, batches ascend without
// overlapping, a batch has one type or one per offset, and every type is known (RENEW only when
// the request says it carries renewals). A bad batch list fails its partition with INVALID_REQUEST
// and changes nothing; records not acquired by the member fail it with INVALID_RECORD_STATE.
import { ErrorCode } from '@brook/protocol'
import { type AckBatch, AckType } from './partition/in-flight.js'

export interface WireAckBatch {
  firstOffset: bigint
  lastOffset: bigint
  acknowledgeTypes: number[]
}

export type CheckedAcks = { ok: true, batches: AckBatch[] } | { ok: false, code: number, message: string }

export function checkAckBatches (wire: readonly WireAckBatch[], renewAllowed: boolean): CheckedAcks {
  const batches: AckBatch[] = []
  let previousLast = -1n
  for (const b of wire) {
    if (b.firstOffset < 0n || b.lastOffset < b.firstOffset) {
      return { ok: false, code: ErrorCode.INVALID_REQUEST, message: `Invalid acknowledgement batch ${b.firstOffset}-${b.lastOffset}.` }
    }
    if (b.firstOffset <= previousLast) {
      return { ok: false, code: ErrorCode.INVALID_REQUEST, message: 'Acknowledgement batches overlap or are not in offset order.' }
    }
    const span = b.lastOffset - b.firstOffset + 1n
    const types = b.acknowledgeTypes
    if (types.length !== 1 && BigInt(types.length) !== span) {
      return { ok: false, code: ErrorCode.INVALID_REQUEST, message: 'Acknowledge types must be one type or one per offset.' }
    }
    for (const t of types) {
      if (t < AckType.GAP || t > AckType.RENEW || (t === AckType.RENEW && !renewAllowed)) {
        return { ok: false, code: ErrorCode.INVALID_REQUEST, message: `Invalid acknowledge type ${t}.` }
      }
    }
    if (b.lastOffset > BigInt(Number.MAX_SAFE_INTEGER)) {
      return { ok: false, code: ErrorCode.INVALID_RECORD_STATE, message: `Offset ${b.lastOffset} is not in flight.` }
    }
    previousLast = b.lastOffset
    batches.push({ firstOffset: Number(b.firstOffset), lastOffset: Number(b.lastOffset), types })
  }
  return { ok: true, batches }
}

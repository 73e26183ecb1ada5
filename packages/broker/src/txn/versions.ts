// KIP-588 added PRODUCER_FENCED to the transactional APIs; clients on older versions only know
// INVALID_PRODUCER_EPOCH for the same situation (Kafka converts it in KafkaApis the same way).
import { ErrorCode } from '@brook/protocol'

/** PRODUCER_FENCED for `version` >= `since`, else INVALID_PRODUCER_EPOCH; other codes unchanged. */
export function fencedForVersion (code: number, version: number, since: number): number {
  return code === ErrorCode.PRODUCER_FENCED && version < since ? ErrorCode.INVALID_PRODUCER_EPOCH : code
}

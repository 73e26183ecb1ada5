// Failures of a coordinator runtime, as the Kafka error code each request answers with. One class
// for both coordinators: their handlers turn `code` into each API's error response.
import { ErrorCode } from '@brook/protocol'

export class CoordinatorError extends Error {
  readonly code: number
  constructor (code: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CoordinatorError'
    this.code = code
  }
}

/**
 * What the client is told when an append to a coordinator partition fails, as Kafka maps it
 * (appendGroupMetadataErrorToResponseError, appendTransactionToLog): a storage failure moves the
 * coordinator (NOT_COORDINATOR), an oversized or corrupt batch is a server error, the partition's
 * producer-state refusals of a transactional batch or marker pass through, anything else is
 * COORDINATOR_NOT_AVAILABLE (retriable).
 */
export function appendErrorCode (err: unknown): number {
  if (err instanceof CoordinatorError) return err.code
  const kind = err instanceof Error && 'kind' in err ? (err as { kind: unknown }).kind : undefined
  switch (kind) {
    case 'INVALID_PRODUCER_EPOCH':
    case 'TRANSACTION_COORDINATOR_FENCED':
    case 'INVALID_TXN_STATE':
      return ErrorCode[kind]
    case 'KAFKA_STORAGE_ERROR':
      return ErrorCode.NOT_COORDINATOR
    case 'RECORD_LIST_TOO_LARGE':
    case 'CORRUPT_MESSAGE':
      return ErrorCode.UNKNOWN_SERVER_ERROR
    default:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE
  }
}

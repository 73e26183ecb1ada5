// Domain errors carry a Kafka error code; everything else becomes UNKNOWN_SERVER_ERROR here and
// only here (and is logged, since it is a Brook bug or an unexpected I/O failure).
import { ErrorCode } from '@brook/protocol'
import { StorageError } from '@brook/storage'
import { isMetadataError } from '@brook/metadata'
import type { Logger } from '@brook/common'
import { ConfigError } from './config/schema.js'

/** An error a handler reports to the client as `code` (with `message` where the API has one). */
export class KafkaError extends Error {
  readonly code: number
  constructor (code: number, message?: string) {
    super(message ?? '')
    this.name = 'KafkaError'
    this.code = code
  }
}

export interface MappedError {
  code: number
  /** For responses with an error_message field; null when there is nothing useful to say. */
  message: string | null
}

export function mapError (err: unknown, logger: Logger, context?: Record<string, unknown>): MappedError {
  if (err instanceof KafkaError) return { code: err.code, message: err.message === '' ? null : err.message }
  if (err instanceof ConfigError) return { code: ErrorCode.INVALID_CONFIG, message: err.message }
  // The metadata store names the Kafka error of each refusal (cluster mode).
  if (isMetadataError(err)) return { code: err.errorCode, message: err.message }
  if (err instanceof StorageError) {
    // Same names on both sides (storage/src/types.ts StorageErrorKind).
    if (err.kind === 'KAFKA_STORAGE_ERROR') logger.error({ err, ...context }, 'storage error')
    return { code: ErrorCode[err.kind], message: err.message }
  }
  logger.error({ err, ...context }, 'unexpected error while handling a request')
  return { code: ErrorCode.UNKNOWN_SERVER_ERROR, message: null }
}

export function errorCodeOf (err: unknown, logger: Logger, context?: Record<string, unknown>): number {
  return mapError(err, logger, context).code
}

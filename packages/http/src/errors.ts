// Errors in the REST Proxy's shape: every failure answers `{ error_code, message }` with an HTTP
// status. v2 uses the REST Proxy's five-digit codes (the first three digits are the status);
// v3 uses the HTTP status itself. Kafka errors from the client map to their REST meaning.
import { KafkaError, ErrorCode } from '@brook/client'

export const RestCode = {
  UNAUTHENTICATED: 40101,
  UNAUTHORIZED: 40301,
  TOPIC_NOT_FOUND: 40401,
  PARTITION_NOT_FOUND: 40402,
  CONSUMER_INSTANCE_NOT_FOUND: 40403,
  LEADER_NOT_AVAILABLE: 40404,
  CONSUMER_FORMAT_MISMATCH: 40601,
  CONSUMER_ALREADY_EXISTS: 40902,
  ILLEGAL_STATE: 40903,
  INVALID_CONSUMER_CONFIG: 42204,
  KAFKA_ERROR: 50002,
  KAFKA_RETRIABLE_ERROR: 50003
} as const

export class RestError extends Error {
  readonly status: number
  readonly errorCode: number

  constructor (status: number, errorCode: number, message: string) {
    super(message)
    this.status = status
    this.errorCode = errorCode
  }
}

export const notFound = (message: string, code = 404): RestError => new RestError(404, code, message)
export const unprocessable = (message: string): RestError => new RestError(422, 422, message)

const AUTHORIZATION_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.GROUP_AUTHORIZATION_FAILED, ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ErrorCode.DELEGATION_TOKEN_AUTHORIZATION_FAILED
])

/** Whether the brokers' ACLs refused the operation. */
export function isAuthorizationError (err: unknown): boolean {
  return err instanceof KafkaError && AUTHORIZATION_ERRORS.has(err.code)
}

/** Per-record produce errors: the REST Proxy's Kafka error codes (authorization, retriable or not). */
export function kafkaErrorCode (err: unknown): number {
  if (isAuthorizationError(err)) return RestCode.UNAUTHORIZED
  return err instanceof KafkaError && err.retriable ? RestCode.KAFKA_RETRIABLE_ERROR : RestCode.KAFKA_ERROR
}

/** A failure from the client as the REST error it means. */
export function toRestError (err: unknown): RestError | null {
  if (err instanceof RestError) return err
  if (!(err instanceof KafkaError)) return null
  if (isAuthorizationError(err)) return new RestError(403, RestCode.UNAUTHORIZED, err.message)
  switch (err.code) {
    case ErrorCode.SASL_AUTHENTICATION_FAILED:
      return new RestError(401, RestCode.UNAUTHENTICATED, err.message)
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.UNKNOWN_TOPIC_ID:
      return notFound(err.message, RestCode.TOPIC_NOT_FOUND)
    case ErrorCode.GROUP_ID_NOT_FOUND:
      return notFound(err.message)
    case ErrorCode.TOPIC_ALREADY_EXISTS:
      return new RestError(400, 40002, err.message)
    case ErrorCode.INVALID_TOPIC_EXCEPTION:
    case ErrorCode.INVALID_PARTITIONS:
    case ErrorCode.INVALID_REPLICATION_FACTOR:
    case ErrorCode.INVALID_CONFIG:
    case ErrorCode.INVALID_REQUEST:
    case ErrorCode.POLICY_VIOLATION:
      return new RestError(400, 400, err.message)
    case ErrorCode.NON_EMPTY_GROUP:
      return new RestError(409, 409, err.message)
    default:
      return new RestError(err.retriable ? 503 : 500, kafkaErrorCode(err), err.message)
  }
}

// Every refusal of the metadata store names the Kafka error a broker would answer with, so a
// handler maps it to the wire without a second table.
import { ErrorCode } from '@brook/protocol'

export type MetadataErrorName =
  | 'INVALID_UPDATE_VERSION' // the expected partitionEpoch is not the current one
  | 'FENCED_LEADER_EPOCH' // the expected leaderEpoch is not the current one
  | 'STALE_BROKER_EPOCH' // the requesting broker's registration expired or was replaced
  | 'NOT_CONTROLLER' // a controller-fenced write from a broker that no longer holds the controller
  | 'TOPIC_ALREADY_EXISTS'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'UNKNOWN_TOPIC_ID'
  | 'INVALID_TOPIC_EXCEPTION'
  | 'INVALID_PARTITIONS'
  | 'INVALID_REPLICA_ASSIGNMENT'
  | 'INELIGIBLE_REPLICA' // an ISR member that is not a registered broker
  | 'INVALID_REQUEST'
  | 'REQUEST_TIMED_OUT' // the store could not be reached in time; the outcome is unknown

export class MetadataError extends Error {
  readonly code: MetadataErrorName
  /** The Kafka protocol error code of `code`. */
  readonly errorCode: number

  constructor (code: MetadataErrorName, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options)
    this.name = 'MetadataError'
    this.code = code
    this.errorCode = ErrorCode[code]
  }
}

export function isMetadataError (err: unknown, code?: MetadataErrorName): err is MetadataError {
  return err instanceof MetadataError && (code === undefined || err.code === code)
}

// Exit codes scripts can trust, and one-line messages for every failure (never a stack trace for
// an error the user can act on).
import { BrookClientError, ConnectionError, KafkaError, TimeoutError } from '@brook/client'

export const ExitCode = {
  ok: 0,
  /** The cluster refused the operation (a Kafka error code), or a check failed. */
  failed: 1,
  /** Bad flags or arguments: nothing was sent. */
  usage: 2,
  /** The cluster could not be reached or did not answer in time. */
  unreachable: 3
} as const

/** A mistake in what the user typed or configured. */
export class UsageError extends Error {}

/** A failure the command itself detected (not a Kafka error code), with the exit code to use. */
export class CommandFailed extends Error {
  constructor (message: string, readonly exitCode: number = ExitCode.failed) { super(message) }
}

export function describeFailure (err: unknown): { message: string, exitCode: number } {
  if (err instanceof UsageError) return { message: err.message, exitCode: ExitCode.usage }
  if (err instanceof CommandFailed) return { message: err.message, exitCode: err.exitCode }
  if (err instanceof KafkaError) return { message: err.message, exitCode: ExitCode.failed }
  if (err instanceof ConnectionError || err instanceof TimeoutError) return { message: `cannot reach the cluster: ${err.message}`, exitCode: ExitCode.unreachable }
  if (err instanceof BrookClientError) return { message: err.message, exitCode: ExitCode.failed }
  return { message: err instanceof Error ? (err.stack ?? err.message) : String(err), exitCode: ExitCode.failed }
}

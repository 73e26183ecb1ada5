// Errors raised by the client itself (not sent by a broker). All extend BrookClientError.

export class BrookClientError extends Error {
  /** Whether retrying the same call later can succeed. */
  readonly retriable: boolean
  constructor (message: string, retriable: boolean, options?: ErrorOptions) {
    super(message, options)
    this.name = 'BrookClientError'
    this.retriable = retriable
  }
}

/** A socket failed or closed; requests on it fail with this. */
export class ConnectionError extends BrookClientError {
  readonly broker: string
  constructor (broker: string, message: string, options?: ErrorOptions) {
    super(`${broker}: ${message}`, true, options)
    this.name = 'ConnectionError'
    this.broker = broker
  }
}

/** No response within requestTimeoutMs (or the delivery timeout of a record ran out). */
export class TimeoutError extends BrookClientError {
  constructor (message: string) {
    super(message, true)
    this.name = 'TimeoutError'
  }
}

/** The client and the broker share no version of an API the call needs. */
export class UnsupportedVersionError extends BrookClientError {
  constructor (message: string) {
    super(message, false)
    this.name = 'UnsupportedVersionError'
  }
}

/** The caller aborted through an AbortSignal. */
export class AbortError extends BrookClientError {
  constructor (reason?: unknown) {
    super(`aborted${reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' ? `: ${reason}` : ''}`, false, { cause: reason })
    this.name = 'AbortError'
  }
}

/** A call made in a state that does not allow it (send after close, commit with no group...). */
export class IllegalStateError extends BrookClientError {
  constructor (message: string) {
    super(message, false)
    this.name = 'IllegalStateError'
  }
}

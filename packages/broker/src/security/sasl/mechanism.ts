// One SASL exchange on the server side: tokens in, tokens out, until the client is known.
export interface SaslStep {
  /** The token the client gets back (may be empty). */
  response: Buffer
  /** Set once the exchange succeeded: the authenticated user name. */
  user?: string
}

export interface SaslServer {
  readonly mechanism: string
  /** Throws SaslFailure when the client must be refused. */
  evaluate (token: Buffer): SaslStep
}

/** A refused exchange; `message` goes to the client and the log, so it never holds a secret. */
export class SaslFailure extends Error {}

// SASL options and the mechanisms: PLAIN (RFC 4616) and SCRAM-SHA-256/512.
import { ScramClient } from './scram.js'

export type SaslOptions =
  | { mechanism: 'PLAIN', username: string, password: string }
  | { mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username: string, password: string }

/** Runs one mechanism: each call gets the server's last answer (null first) and returns the next client message, or null when done. */
export interface SaslExchange {
  next: (serverBytes: Buffer | null) => Buffer | null
}

export function saslExchange (options: SaslOptions): SaslExchange {
  switch (options.mechanism) {
    case 'PLAIN': {
      let sent = false
      return {
        next: () => {
          if (sent) return null
          sent = true
          return Buffer.from(`\u0000${options.username}\u0000${options.password}`, 'utf8')
        }
      }
    }
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-512':
      return new ScramClient(options.mechanism, options.username, options.password)
  }
}

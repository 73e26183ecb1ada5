// SASL PLAIN (RFC 4616): one message, [authzid] NUL authcid NUL password, checked against the
// users of the listener's PlainLoginModule (user_<name>="<password>"). An authorization id other
// than the user name is refused, as Kafka does.
import { createHash, timingSafeEqual } from 'node:crypto'
import { SaslFailure, type SaslServer, type SaslStep } from './mechanism.js'

export class PlainServer implements SaslServer {
  readonly mechanism = 'PLAIN'
  private readonly users: ReadonlyMap<string, string>

  constructor (users: ReadonlyMap<string, string>) {
    this.users = users
  }

  evaluate (token: Buffer): SaslStep {
    const parts = token.toString('utf8').split('\u0000')
    if (parts.length !== 3) throw new SaslFailure('Invalid SASL/PLAIN response: expected 3 tokens')
    const [authzid, user, password] = parts as [string, string, string]
    if (user === '') throw new SaslFailure('Authentication failed: username not specified')
    if (password === '') throw new SaslFailure('Authentication failed: password not specified')
    const expected = this.users.get(user)
    // Both sides hashed so the comparison takes the same time whatever the lengths.
    const ok = expected !== undefined && timingSafeEqual(digest(expected), digest(password))
    if (!ok) throw new SaslFailure('Authentication failed: Invalid username or password')
    if (authzid !== '' && authzid !== user) throw new SaslFailure('Authentication failed: Client requested an authorization id that is different from username')
    return { response: Buffer.alloc(0), user }
  }
}

function digest (text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

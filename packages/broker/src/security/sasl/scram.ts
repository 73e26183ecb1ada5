// SASL SCRAM-SHA-256 / SCRAM-SHA-512 server (RFC 5802, RFC 7677), without channel binding:
//   client-first  n,[a=authzid],n=user,r=cnonce[,ext]
//   server-first  r=cnonce+snonce,s=salt,i=iterations
//   client-final  c=base64(gs2 header),r=nonce,p=proof
//   server-final  v=server signature
// The proof is checked against the stored key: H(proof XOR HMAC(StoredKey, AuthMessage)).
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { SaslFailure, type SaslServer, type SaslStep } from './mechanism.js'
import { hash, hmac, type ScramCredential, type ScramMechanism } from './scram-crypto.js'

export type CredentialLookup = (user: string, mechanism: ScramMechanism) => ScramCredential | null

type State =
  | { step: 'first' }
  | { step: 'final', user: string, gs2Header: string, clientFirstBare: string, serverFirst: string, nonce: string, credential: ScramCredential }
  | { step: 'done' }

export class ScramServer implements SaslServer {
  readonly mechanism: ScramMechanism
  private readonly lookup: CredentialLookup
  private state: State = { step: 'first' }
  private readonly serverNonce: () => string

  /** `serverNonce`: the server's part of the nonce (random; fixed only by tests of RFC vectors). */
  constructor (mechanism: ScramMechanism, lookup: CredentialLookup, serverNonce = (): string => randomBytes(18).toString('base64')) {
    this.mechanism = mechanism
    this.lookup = lookup
    this.serverNonce = serverNonce
  }

  evaluate (token: Buffer): SaslStep {
    const state = this.state
    if (state.step === 'first') return this.first(token.toString('utf8'))
    if (state.step === 'final') return this.final(token.toString('utf8'), state)
    throw new SaslFailure('Unexpected SASL request after the SCRAM exchange completed')
  }

  private first (message: string): SaslStep {
    const match = /^([ny]),(?:a=([^,]*))?,(.*)$/.exec(message)
    if (match === null) throw new SaslFailure('Invalid SCRAM client first message')
    const gs2Header = `${match[1] as string},${match[2] !== undefined ? `a=${match[2]}` : ''},`
    const clientFirstBare = match[3] as string
    const attrs = attributes(clientFirstBare)
    const user = unescapeName(attrs.get('n'))
    const clientNonce = attrs.get('r')
    if (user === null || clientNonce === undefined || clientNonce === '') throw new SaslFailure('Invalid SCRAM client first message')
    const authzid = match[2] !== undefined ? unescapeName(match[2]) : null
    if (authzid !== null && authzid !== '' && authzid !== user) {
      throw new SaslFailure('Authentication failed: Client requested an authorization id that is different from username')
    }
    const credential = this.lookup(user, this.mechanism)
    if (credential === null) throw new SaslFailure('Authentication failed: Invalid user credentials')
    const nonce = clientNonce + this.serverNonce()
    const serverFirst = `r=${nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`
    this.state = { step: 'final', user, gs2Header, clientFirstBare, serverFirst, nonce, credential }
    return { response: Buffer.from(serverFirst, 'utf8') }
  }

  private final (message: string, state: Extract<State, { step: 'final' }>): SaslStep {
    this.state = { step: 'done' }
    const at = message.lastIndexOf(',p=')
    if (at < 0) throw new SaslFailure('Invalid SCRAM client final message')
    const withoutProof = message.slice(0, at)
    const attrs = attributes(withoutProof)
    if (attrs.get('c') !== Buffer.from(state.gs2Header, 'utf8').toString('base64')) throw new SaslFailure('Invalid SCRAM client final message: channel binding mismatch')
    // Kafka accepts a nonce that ends with the server's (librdkafka up to 2.x repeats its own
    // part in front); the proof covers the message as sent either way.
    if (!(attrs.get('r') ?? '').endsWith(state.nonce)) throw new SaslFailure('Invalid client nonce in the final client message.')
    const proof = Buffer.from(message.slice(at + 3), 'base64')
    const authMessage = `${state.clientFirstBare},${state.serverFirst},${withoutProof}`
    const { storedKey, serverKey } = state.credential
    const signature = hmac(this.mechanism, storedKey, authMessage)
    if (proof.length !== signature.length) throw new SaslFailure('Authentication failed: Invalid client credentials')
    const clientKey = Buffer.alloc(proof.length)
    for (let i = 0; i < proof.length; i++) clientKey[i] = (proof[i] as number) ^ (signature[i] as number)
    if (!timingSafeEqual(hash(this.mechanism, clientKey), storedKey)) throw new SaslFailure('Authentication failed: Invalid client credentials')
    const verifier = hmac(this.mechanism, serverKey, authMessage).toString('base64')
    return { response: Buffer.from(`v=${verifier}`, 'utf8'), user: state.user }
  }
}

function attributes (text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of text.split(',')) {
    const eq = part.indexOf('=')
    if (eq === 1) out.set(part.slice(0, 1), part.slice(2))
  }
  return out
}

/** saslname: "=2C" is a comma, "=3D" an equals sign; any other "=" is malformed. */
function unescapeName (name: string | undefined): string | null {
  if (name === undefined || name === '') return null
  if (/=(?!2C|3D)/.test(name)) return null
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=')
}

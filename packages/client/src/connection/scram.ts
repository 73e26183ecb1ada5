// SCRAM-SHA-256/512 client (RFC 5802, RFC 7677), without channel binding, as Kafka runs it:
// client-first, server-first (nonce, salt, iterations), client-final with the proof, and the
// server's signature checked so that a server which does not know the password is caught.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'
import { BrookClientError } from '../errors/client-errors.js'

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512'

/** Kafka refuses fewer iterations; a server asking for fewer is not to be trusted with a proof. */
const MIN_ITERATIONS = 4096

interface Hash { name: 'sha256' | 'sha512', keyLength: number }

const HASHES: Record<ScramMechanism, Hash> = {
  'SCRAM-SHA-256': { name: 'sha256', keyLength: 32 },
  'SCRAM-SHA-512': { name: 'sha512', keyLength: 64 }
}

/** The SCRAM conversation went wrong on the client's side of it; retrying will not help. */
export class ScramError extends BrookClientError {
  constructor (message: string) {
    super(message, false)
    this.name = 'ScramError'
  }
}

/** The steps of one SCRAM conversation; each returns the next client message, or null when done. */
export class ScramClient {
  private readonly hash: Hash
  private readonly clientNonce: string
  private readonly clientFirstBare: string
  private expectedServerSignature: Buffer | null = null
  private step: 'first' | 'final' | 'verify' | 'done' = 'first'

  constructor (private readonly mechanism: ScramMechanism, private readonly username: string, private readonly password: string, nonce = randomBytes(24).toString('base64')) {
    this.hash = HASHES[mechanism]
    this.clientNonce = nonce
    this.clientFirstBare = `n=${saslName(username)},r=${nonce}`
  }

  next (serverBytes: Buffer | null): Buffer | null {
    switch (this.step) {
      case 'first':
        this.step = 'final'
        return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8')
      case 'final':
        this.step = 'verify'
        return Buffer.from(this.clientFinal(serverText(serverBytes)), 'utf8')
      case 'verify':
        this.verify(serverText(serverBytes))
        this.step = 'done'
        return null
      case 'done':
        return null
    }
  }

  private clientFinal (serverFirst: string): string {
    const fields = parseFields(serverFirst)
    const nonce = fields.get('r')
    const salt = fields.get('s')
    const iterations = Number(fields.get('i'))
    if (nonce === undefined || salt === undefined || !Number.isInteger(iterations)) {
      throw new ScramError(`SCRAM: malformed server-first message for ${this.username}`)
    }
    if (!nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) {
      throw new ScramError('SCRAM: the server nonce does not extend the client nonce')
    }
    if (iterations < MIN_ITERATIONS) throw new ScramError(`SCRAM: the server asks for ${iterations} iterations, fewer than ${MIN_ITERATIONS}`)
    const salted = saltPassword(this.mechanism, this.password, Buffer.from(salt, 'base64'), iterations)
    const clientKey = this.hmac(salted, 'Client Key')
    const storedKey = createHash(this.hash.name).update(clientKey).digest()
    const withoutProof = `c=biws,r=${nonce}`
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`
    const signature = this.hmac(storedKey, authMessage)
    const proof = Buffer.alloc(clientKey.length)
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!
    this.expectedServerSignature = this.hmac(this.hmac(salted, 'Server Key'), authMessage)
    return `${withoutProof},p=${proof.toString('base64')}`
  }

  private verify (serverFinal: string): void {
    const fields = parseFields(serverFinal)
    const error = fields.get('e')
    if (error !== undefined) throw new ScramError(`SCRAM: the server refused: ${error}`)
    const v = fields.get('v')
    const expected = this.expectedServerSignature
    if (v === undefined || expected === null) throw new ScramError('SCRAM: malformed server-final message')
    const got = Buffer.from(v, 'base64')
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw new ScramError('SCRAM: the server signature does not match (the server does not know this password)')
    }
  }

  private hmac (key: Buffer, text: string): Buffer {
    return createHmac(this.hash.name, key).update(text, 'utf8').digest()
  }
}

/** SaltedPassword of RFC 5802: what the server stores (derived further) and what an admin client sends. */
export function saltPassword (mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  const hash = HASHES[mechanism]
  return pbkdf2Sync(password.normalize('NFKC'), salt, iterations, hash.keyLength, hash.name)
}

/** RFC 5802's saslname: ',' and '=' escaped. */
function saslName (name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C')
}

function serverText (bytes: Buffer | null): string {
  if (bytes === null) throw new ScramError('SCRAM: the server sent no message')
  return bytes.toString('utf8')
}

/** "k=v,k=v" attributes; a value may itself contain '='. */
function parseFields (message: string): Map<string, string> {
  const fields = new Map<string, string>()
  for (const part of message.split(',')) {
    const eq = part.indexOf('=')
    if (eq === 1) fields.set(part.slice(0, 1), part.slice(2))
  }
  return fields
}

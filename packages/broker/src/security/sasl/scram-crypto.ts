// SCRAM's key derivations (RFC 5802 section 3) for SHA-256 and SHA-512 (RFC 7677), and the
// mechanism numbers Kafka's admin APIs use (1: SCRAM-SHA-256, 2: SCRAM-SHA-512).
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto'

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512'

export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512']
/** Kafka's bounds on the iteration count of a stored credential. */
export const MIN_ITERATIONS = 4096
export const MAX_ITERATIONS = 16384

export function mechanismFromCode (code: number): ScramMechanism | null {
  return code === 1 ? 'SCRAM-SHA-256' : code === 2 ? 'SCRAM-SHA-512' : null
}

export function mechanismCode (mechanism: ScramMechanism): number {
  return mechanism === 'SCRAM-SHA-256' ? 1 : 2
}

export function hashName (mechanism: ScramMechanism): 'sha256' | 'sha512' {
  return mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512'
}

export interface ScramCredential {
  salt: Buffer
  storedKey: Buffer
  serverKey: Buffer
  iterations: number
}

export function hmac (mechanism: ScramMechanism, key: Buffer, text: string | Buffer): Buffer {
  return createHmac(hashName(mechanism), key).update(text).digest()
}

export function hash (mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(hashName(mechanism)).update(data).digest()
}

export function saltedPassword (mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  const length = mechanism === 'SCRAM-SHA-256' ? 32 : 64
  return pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, length, hashName(mechanism))
}

/** What the server keeps: never the password, nor the salted password. */
export function credentialFromSalted (mechanism: ScramMechanism, salted: Buffer, salt: Buffer, iterations: number): ScramCredential {
  const clientKey = hmac(mechanism, salted, 'Client Key')
  return { salt, storedKey: hash(mechanism, clientKey), serverKey: hmac(mechanism, salted, 'Server Key'), iterations }
}

// SCRAM credentials through the admin API (KIP-554): AlterUserScramCredentials carries a salted
// password that the client derives (the password itself never leaves the client), and
// DescribeUserScramCredentials lists mechanisms and iteration counts, never secrets.
import { randomBytes } from 'node:crypto'
import { alterUserScramCredentialsApi, describeUserScramCredentialsApi, ErrorCode } from '@brook/protocol'
import type { Connection } from '../connection/connection.js'
import { saltPassword, type ScramMechanism } from '../connection/scram.js'
import { kafkaError } from '../errors/kafka-errors.js'

export interface ScramCredentialUpsertion {
  user: string
  mechanism: ScramMechanism
  password: string
  /** Default 4096, Kafka's minimum (the broker refuses fewer, and more than 16384). */
  iterations?: number
}

export interface ScramCredentialDeletion { user: string, mechanism: ScramMechanism }

export interface ScramCredentialDescription {
  user: string
  credentials: Array<{ mechanism: ScramMechanism, iterations: number }>
}

/** The mechanism numbers of Kafka's ScramMechanism enum. */
const MECHANISM_TYPES: Record<ScramMechanism, number> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 }

function mechanismName (type: number): ScramMechanism | null {
  if (type === 1) return 'SCRAM-SHA-256'
  if (type === 2) return 'SCRAM-SHA-512'
  return null
}

export async function alterScramCredentials (connection: Connection, upsertions: readonly ScramCredentialUpsertion[], deletions: readonly ScramCredentialDeletion[]): Promise<void> {
  const r = await connection.request(alterUserScramCredentialsApi, {
    deletions: deletions.map((d) => ({ name: d.user, mechanism: MECHANISM_TYPES[d.mechanism] })),
    upsertions: upsertions.map((u) => {
      const iterations = u.iterations ?? 4096
      const salt = randomBytes(32)
      return { name: u.user, mechanism: MECHANISM_TYPES[u.mechanism], iterations, salt, saltedPassword: saltPassword(u.mechanism, u.password, salt, iterations) }
    })
  })
  for (const result of r.results) {
    if (result.errorCode !== ErrorCode.NONE) throw kafkaError(result.errorCode, result.errorMessage ?? `SCRAM credentials of ${result.user}`)
  }
}

/** Every user's credentials, or those of `users` (a user without any is RESOURCE_NOT_FOUND). */
export async function describeScramCredentials (connection: Connection, users?: readonly string[]): Promise<ScramCredentialDescription[]> {
  const r = await connection.request(describeUserScramCredentialsApi, { users: users === undefined ? null : users.map((name) => ({ name })) })
  if (r.errorCode !== ErrorCode.NONE) throw kafkaError(r.errorCode, r.errorMessage ?? 'DescribeUserScramCredentials')
  return r.results.map((result) => {
    if (result.errorCode !== ErrorCode.NONE) throw kafkaError(result.errorCode, result.errorMessage ?? `SCRAM credentials of ${result.user}`)
    return {
      user: result.user,
      credentials: result.credentialInfos.flatMap((c) => {
        const mechanism = mechanismName(c.mechanism)
        return mechanism === null ? [] : [{ mechanism, iterations: c.iterations }]
      })
    }
  })
}

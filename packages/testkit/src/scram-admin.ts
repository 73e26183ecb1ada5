// SCRAM users for tests, created the way an operator's admin client does it: the client salts
// the password and sends AlterUserScramCredentials (51) — encoded here by @platformatic/kafka,
// not by Brook's own codec.
import { pbkdf2Sync, randomBytes } from 'node:crypto'
import { alterUserScramCredentialsV0, Connection, describeUserScramCredentialsV0 } from '@platformatic/kafka'
import { ensurePromiseWithResolvers } from './node-compat.js'

export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512'

export interface ScramUser {
  name: string
  password: string
  mechanism: ScramMechanismName
  iterations?: number
}

function splitBootstrap (bootstrap: string): { host: string, port: number } {
  const at = bootstrap.lastIndexOf(':')
  return { host: bootstrap.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(bootstrap.slice(at + 1)) }
}

/** Runs one request; a response carrying per-user errors is returned, not thrown (the client throws it). */
async function withConnection<T> (bootstrap: string, run: (c: Connection) => Promise<T>): Promise<T> {
  ensurePromiseWithResolvers()
  const { host, port } = splitBootstrap(bootstrap)
  const connection = new Connection('brook-testkit-scram')
  await connection.connect(host, port)
  try {
    return await run(connection)
  } catch (err) {
    const response = (err as { code?: string, response?: T }).response
    if ((err as { code?: string }).code === 'PLT_KFK_RESPONSE' && response !== undefined) return response
    throw err
  } finally {
    await connection.close()
  }
}

/** Upserts the users' credentials; returns each user's error code (0: done). */
export async function upsertScramUsers (bootstrap: string, users: readonly ScramUser[]): Promise<Array<{ user: string, errorCode: number, errorMessage: string | null }>> {
  const upsertions = users.map((u) => {
    const iterations = u.iterations ?? 4096
    const salt = randomBytes(24)
    const hash = u.mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512'
    const saltedPassword = pbkdf2Sync(u.password, salt, iterations, hash === 'sha256' ? 32 : 64, hash)
    return { name: u.name, mechanism: u.mechanism === 'SCRAM-SHA-256' ? 1 : 2, iterations, salt, saltedPassword }
  })
  const response = await withConnection(bootstrap, async (c) => await alterUserScramCredentialsV0.api.async(c, [], upsertions))
  return response.results.map((r) => ({ user: r.user, errorCode: r.errorCode, errorMessage: r.errorMessage ?? null }))
}

/** Deletes credentials; returns each user's error code. */
export async function deleteScramUsers (bootstrap: string, users: ReadonlyArray<{ name: string, mechanism: ScramMechanismName }>): Promise<Array<{ user: string, errorCode: number }>> {
  const deletions = users.map((u) => ({ name: u.name, mechanism: u.mechanism === 'SCRAM-SHA-256' ? 1 : 2 }))
  const response = await withConnection(bootstrap, async (c) => await alterUserScramCredentialsV0.api.async(c, deletions, []))
  return response.results.map((r) => ({ user: r.user, errorCode: r.errorCode }))
}

/** DescribeUserScramCredentials: null describes every user. */
export async function describeScramUsers (bootstrap: string, users: string[] | null): Promise<Array<{ user: string, errorCode: number, credentials: Array<{ mechanism: number, iterations: number }> }>> {
  const response = await withConnection(bootstrap, async (c) =>
    await describeUserScramCredentialsV0.api.async(c, users === null ? null : users.map((name) => ({ name }))))
  return response.results.map((r) => ({ user: r.user, errorCode: r.errorCode, credentials: r.credentialInfos.map((i) => ({ mechanism: i.mechanism, iterations: i.iterations })) }))
}

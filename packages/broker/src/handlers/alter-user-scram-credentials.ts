// AlterUserScramCredentials (51): v0.
// Behaviour: upserts (salt and salted password from the client; the broker keeps only the stored
// and server keys) and deletions, applied per user: one refused change leaves that user untouched.
// Errors as Kafka: a user changed twice in one request DUPLICATE_RESOURCE; an empty name, an empty
// salt or an iteration count outside 4096-16384 UNACCEPTABLE_CREDENTIAL; an unknown mechanism
// UNSUPPORTED_SASL_MECHANISM; deleting a missing credential RESOURCE_NOT_FOUND. Changes are
// durable before the response.
import { alterUserScramCredentialsApi, type AlterUserScramCredentialsRequest, type AlterUserScramCredentialsResponse,
  type AlterUserScramCredentialsResponseResult, ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import type { ScramChange } from '../security/scram-store.js'
import { credentialFromSalted, MAX_ITERATIONS, mechanismFromCode, MIN_ITERATIONS } from '../security/sasl/scram-crypto.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'

async function handle (ctx: RequestContext, request: AlterUserScramCredentialsRequest): Promise<AlterUserScramCredentialsResponse> {
  const store = ctx.broker.scram
  if (store === undefined) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'SCRAM credentials are not available')
  const errors = new Map<string, { code: number, message: string }>()
  const fail = (user: string, code: number, message: string): void => { if (!errors.has(user)) errors.set(user, { code, message }) }
  const seen = new Set<string>()
  const order: string[] = []
  const changes: ScramChange[] = []
  const entries = [...request.deletions.map((d) => ({ ...d, upsert: null })), ...request.upsertions.map((u) => ({ name: u.name, mechanism: u.mechanism, upsert: u }))]
  for (const entry of entries) {
    const user = entry.name
    if (!order.includes(user)) order.push(user)
    const key = `${user}\u0000${entry.mechanism}`
    if (seen.has(key)) { fail(user, ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request'); continue }
    seen.add(key)
    if (user === '') { fail(user, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty'); continue }
    const mechanism = mechanismFromCode(entry.mechanism)
    if (mechanism === null) { fail(user, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism'); continue }
    const upsert = entry.upsert
    if (upsert === null) {
      if (store.get(user, mechanism) === null) { fail(user, ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'); continue }
      changes.push({ op: 'delete', user, mechanism })
      continue
    }
    if (upsert.iterations < MIN_ITERATIONS) { fail(user, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations'); continue }
    if (upsert.iterations > MAX_ITERATIONS) { fail(user, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations'); continue }
    if (upsert.salt.length === 0 || upsert.saltedPassword.length === 0) { fail(user, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Salt and salted password must not be empty'); continue }
    changes.push({ op: 'upsert', user, mechanism, credential: credentialFromSalted(mechanism, Buffer.from(upsert.saltedPassword), Buffer.from(upsert.salt), upsert.iterations) })
  }
  await store.apply(changes.filter((c) => !errors.has(c.user)))
  const results = order.map((user): AlterUserScramCredentialsResponseResult => {
    const error = errors.get(user)
    return error === undefined ? { user, errorCode: ErrorCode.NONE, errorMessage: null } : { user, errorCode: error.code, errorMessage: error.message }
  })
  return { results }
}

export default defineHandler(alterUserScramCredentialsApi, { min: 0, max: 0 }, handle, (request, code) => ({
  results: [...new Set([...request.deletions.map((d) => d.name), ...request.upsertions.map((u) => u.name)])].map((user) => ({ user, errorCode: code, errorMessage: null }))
}), { requires: () => [onCluster(Op.ALTER)] })

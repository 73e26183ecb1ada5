// DescribeUserScramCredentials (50): v0.
// Behaviour: the mechanisms and iteration counts of users' SCRAM credentials (never the keys);
// no user list (or an empty one) describes every user that has one. A user named twice:
// DUPLICATE_RESOURCE; a user without credentials: RESOURCE_NOT_FOUND.
import { describeUserScramCredentialsApi, type DescribeUserScramCredentialsRequest, type DescribeUserScramCredentialsResponse,
  type DescribeUserScramCredentialsResponseResult, ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import { mechanismCode } from '../security/sasl/scram-crypto.js'
import { defineHandler } from './handler.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'

function handle (ctx: RequestContext, request: DescribeUserScramCredentialsRequest): DescribeUserScramCredentialsResponse {
  const store = ctx.broker.scram
  if (store === undefined) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'SCRAM credentials are not available')
  const all = store.list()
  const credentialsOf = (user: string): DescribeUserScramCredentialsResponseResult['credentialInfos'] =>
    (all.get(user) ?? []).map((m) => ({ mechanism: mechanismCode(m), iterations: store.get(user, m)?.iterations ?? 0 }))
  const wanted = request.users ?? []
  if (wanted.length === 0) {
    const results = [...all.keys()].sort().map((user) => ({ user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: credentialsOf(user) }))
    return { errorCode: ErrorCode.NONE, errorMessage: null, results }
  }
  const counts = new Map<string, number>()
  for (const { name } of wanted) counts.set(name, (counts.get(name) ?? 0) + 1)
  const results = [...counts].map(([user, count]): DescribeUserScramCredentialsResponseResult => {
    if (count > 1) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] }
    if (!all.has(user)) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] }
    return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: credentialsOf(user) }
  })
  return { errorCode: ErrorCode.NONE, errorMessage: null, results }
}

export default defineHandler(describeUserScramCredentialsApi, { min: 0, max: 0 }, handle,
  (_request, code) => ({ errorCode: code, errorMessage: null, results: [] }), { requires: () => [onCluster(Op.DESCRIBE)] })

// DescribeClientQuotas (48): v0-1.
// Behaviour: the quotas of every entity the filter matches (quota/describe-filter.ts); an invalid
// filter answers the whole request with its error (INVALID_REQUEST, UNSUPPORTED_VERSION for an
// unknown entity type). Needs DESCRIBE_CONFIGS on the cluster.
import { describeClientQuotasApi, type DescribeClientQuotasRequest, type DescribeClientQuotasResponse, ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import { matchesFilter, validateFilter } from '../quota/describe-filter.js'
import { QuotaValidationError } from '../quota/quota-entity.js'
import { defineHandler } from './handler.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'

function handle (ctx: RequestContext, request: DescribeClientQuotasRequest): DescribeClientQuotasResponse {
  const quotas = ctx.broker.quotas
  if (quotas === undefined) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'client quotas are not available')
  try {
    validateFilter(request.components)
  } catch (err) {
    if (!(err instanceof QuotaValidationError)) throw err
    return { errorCode: err.code, errorMessage: err.message, entries: null }
  }
  const entries = quotas.store.records()
    .filter((r) => matchesFilter(r.entity, request.components, request.strict))
    .map((r) => ({
      entity: [...r.entity].map(([entityType, entityName]) => ({ entityType, entityName })),
      values: [...r.values].map(([key, value]) => ({ key, value }))
    }))
  return { errorCode: ErrorCode.NONE, errorMessage: null, entries }
}

export default defineHandler(describeClientQuotasApi, { min: 0, max: 1 }, handle,
  (_request, code) => ({ errorCode: code, errorMessage: null, entries: null }),
  { requires: () => [onCluster(Op.DESCRIBE_CONFIGS)] })

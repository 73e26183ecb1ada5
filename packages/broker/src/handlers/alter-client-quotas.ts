// AlterClientQuotas (49): v0-1.
// Behaviour: each entry is checked on its own (quota/quota-entity.ts: entity types and their
// combination, known keys, positive values, whole numbers for the byte rates) and answered with
// its own error (INVALID_REQUEST); the valid entries' ops are applied together and made durable
// before the answer; validateOnly checks without applying. A removal of an unset key is a no-op.
// Needs ALTER_CONFIGS on the cluster.
import { alterClientQuotasApi, type AlterClientQuotasRequest, type AlterClientQuotasResponse, type AlterClientQuotasResponseEntryData, ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import { QuotaValidationError, validateEntity, validateQuotaValue } from '../quota/quota-entity.js'
import type { QuotaChange } from '@brook/metadata'
import { defineHandler } from './handler.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'

async function handle (ctx: RequestContext, request: AlterClientQuotasRequest): Promise<AlterClientQuotasResponse> {
  const quotas = ctx.broker.quotas
  if (quotas === undefined) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'client quotas are not available')
  const changes: QuotaChange[] = []
  const entries: AlterClientQuotasResponseEntryData[] = request.entries.map(({ entity: components, ops }) => {
    const echo = components.map(({ entityType, entityName }) => ({ entityType, entityName: entityName ?? null }))
    try {
      const entity = validateEntity(components)
      const keys = new Set<string>()
      const mine: QuotaChange[] = []
      for (const { key, value, remove } of ops) {
        if (keys.has(key)) throw new QuotaValidationError(`Duplicate quota key ${key} not updating quota for ${JSON.stringify(echo)}`)
        keys.add(key)
        if (!remove) validateQuotaValue(entity, key, value)
        else validateQuotaValue(entity, key, 1)
        mine.push({ entity, key, value: remove ? null : value })
      }
      changes.push(...mine)
      return { errorCode: ErrorCode.NONE, errorMessage: null, entity: echo }
    } catch (err) {
      if (!(err instanceof QuotaValidationError)) throw err
      return { errorCode: err.code, errorMessage: err.message, entity: echo }
    }
  })
  if (!request.validateOnly && changes.length > 0) {
    await quotas.store.apply(changes)
    ctx.logger.info({ changes: changes.map((c) => ({ entity: Object.fromEntries(c.entity), key: c.key, value: c.value })) }, 'client quotas altered')
  }
  return { entries }
}

export default defineHandler(alterClientQuotasApi, { min: 0, max: 1 }, handle,
  (request, code) => ({
    entries: request.entries.map(({ entity }) => ({ errorCode: code, errorMessage: null, entity: entity.map(({ entityType, entityName }) => ({ entityType, entityName: entityName ?? null })) }))
  }),
  { requires: () => [onCluster(Op.ALTER_CONFIGS)] })

// What the share handlers take from the request context: the share service, absent until the
// broker has started it (COORDINATOR_NOT_AVAILABLE, which clients retry).
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import type { ShareService } from './service.js'

export function shareOf (ctx: RequestContext): ShareService {
  const share = ctx.broker.share
  if (share === undefined) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'Share groups are not available.')
  return share
}

// Topic READ for ShareFetch and ShareAcknowledge, as Kafka checks it: topics the principal may not
// read are taken out of the request and answered TOPIC_AUTHORIZATION_FAILED per partition. (The
// group's READ is a whole-request requirement of the handlers.)
import { AclOperation, ResourceType } from '@brook/metadata'
import { ErrorCode } from '@brook/protocol'
import { allowed } from '../security/authorizer/request-access.js'
import type { RequestContext } from '../server/request-context.js'
import type { ShareService } from './service.js'

interface TopicRequest { topicId: string, partitions: ReadonlyArray<{ partitionIndex: number }> }

/** The request's topics split into those the principal may read and those it may not. */
export function splitReadable<T extends TopicRequest> (ctx: RequestContext, share: ShareService, topics: readonly T[]): { readable: T[], denied: T[] } {
  const readable: T[] = []
  const denied: T[] = []
  for (const t of topics) {
    const name = share.replicas.topicById(t.topicId)?.info.name
    // An unknown id is left to the share code, which answers UNKNOWN_TOPIC_ID.
    if (name === undefined || allowed(ctx, ResourceType.TOPIC, name, AclOperation.READ)) readable.push(t)
    else denied.push(t)
  }
  return { readable, denied }
}

export const DENIED = { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Not authorized to read the topic.' }
export const NO_LEADER = { leaderId: -1, leaderEpoch: -1 }

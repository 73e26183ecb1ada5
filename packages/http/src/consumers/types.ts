// What a consumer instance needs from the client (so instance.ts depends on types only).
import type { Client } from '@brook/client'
export type { Consumer, ConsumerBatch, ConsumerMessage } from '@brook/client'

export interface KafkaAccessLike {
  readonly client: Client
}

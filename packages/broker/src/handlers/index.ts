// The handler registry, sorted by api key. ApiVersions advertises exactly this list
// (api-versions.ts) and server/connection.ts serves nothing else.
import type { Handler } from './handler.js'
import produce from './produce.js'
import fetch from './fetch.js'
import listOffsets from './list-offsets.js'
import metadata from './metadata.js'
import apiVersions from './api-versions.js'
import createTopics from './create-topics.js'
import deleteTopics from './delete-topics.js'
import deleteRecords from './delete-records.js'
import initProducerId from './init-producer-id.js'
import describeConfigs from './describe-configs.js'
import alterConfigs from './alter-configs.js'
import createPartitions from './create-partitions.js'
import incrementalAlterConfigs from './incremental-alter-configs.js'
import describeCluster from './describe-cluster.js'

// Each handler is typed for its own request and response; the registry holds them erased.
export const HANDLERS: readonly Handler[] = ([
  produce, // 0
  fetch, // 1
  listOffsets, // 2
  metadata, // 3
  apiVersions, // 18
  createTopics, // 19
  deleteTopics, // 20
  deleteRecords, // 21
  initProducerId, // 22
  describeConfigs, // 32
  alterConfigs, // 33
  createPartitions, // 37
  incrementalAlterConfigs, // 44
  describeCluster // 60
] as unknown[]) as Handler[]

export function handlerTable (handlers: readonly Handler[]): ReadonlyMap<number, Handler> {
  return new Map(handlers.map((h) => [h.api.key, h]))
}

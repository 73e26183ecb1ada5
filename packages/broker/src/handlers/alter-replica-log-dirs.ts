// AlterReplicaLogDirs (34): v0-2.
// Behaviour: moves each named partition to the named log dir (log-dirs/log-dirs.ts): the move is
// done when the response is sent (Kafka copies in the background; on one broker there is no
// leader to copy from, so the partition's files are copied with appends held back, and the log
// reopened). LOG_DIR_NOT_FOUND for a path that is not a configured log dir (compared as an
// absolute path, as Kafka), REPLICA_NOT_AVAILABLE for a partition this broker does not have,
// KAFKA_STORAGE_ERROR when the copy failed (the partition stays). Moves run one at a time.
// Versions: v1 same as v0; v2 flexible.
import {
  alterReplicaLogDirsApi, type AlterReplicaLogDirsRequest, type AlterReplicaLogDirsResponse,
  type AlterReplicaLogDirsResponseAlterReplicaLogDirTopicResult
} from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'

async function handle (ctx: RequestContext, request: AlterReplicaLogDirsRequest): Promise<AlterReplicaLogDirsResponse> {
  // Kafka keys the request by partition: a partition named under two dirs goes to the last one.
  const targets = new Map<string, { topic: string, partition: number, path: string }>()
  for (const dir of request.dirs) {
    for (const t of dir.topics) {
      for (const partition of t.partitions) targets.set(`${t.name}\u0000${partition}`, { topic: t.name, partition, path: dir.path })
    }
  }
  const byTopic = new Map<string, AlterReplicaLogDirsResponseAlterReplicaLogDirTopicResult>()
  for (const { topic, partition, path } of targets.values()) {
    const errorCode = await ctx.broker.logDirs.move(topic, partition, path)
    let result = byTopic.get(topic)
    if (result === undefined) {
      result = { topicName: topic, partitions: [] }
      byTopic.set(topic, result)
    }
    result.partitions.push({ partitionIndex: partition, errorCode })
  }
  return { results: [...byTopic.values()] }
}

export default defineHandler(alterReplicaLogDirsApi, { min: 0, max: 2 }, handle, (request, code) => ({
  results: request.dirs.flatMap((d) => d.topics.map((t) => ({
    topicName: t.name, partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, errorCode: code }))
  })))
}), { requires: () => [onCluster(Op.ALTER)] })

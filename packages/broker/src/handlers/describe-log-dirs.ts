// DescribeLogDirs (35): v0-4.
// Behaviour: every configured log dir by absolute path (log-dirs/log-dirs.ts), with the topics
// stored there and, for the requested partitions (null topics: all), each one's size on disk,
// offset lag 0 (this broker is the leader) and no future replicas. An unreadable dir answers
// KAFKA_STORAGE_ERROR for that dir.
// Versions: v1 same as v0; v2 flexible; v3 top-level error code; v4 total and usable bytes of
// the dir's file system.
import { describeLogDirsApi, type DescribeLogDirsRequest, type DescribeLogDirsResponse, ErrorCode } from '@brook/protocol'
import type { PartitionFilter } from '../log-dirs/log-dirs.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'

function filterOf (request: DescribeLogDirsRequest): PartitionFilter {
  if (request.topics === null || request.topics === undefined) return null
  const wanted = new Map<string, Set<number>>()
  for (const t of request.topics) {
    const set = wanted.get(t.topic) ?? new Set<number>()
    for (const p of t.partitions) set.add(p)
    wanted.set(t.topic, set)
  }
  return wanted
}

async function handle (ctx: RequestContext, request: DescribeLogDirsRequest): Promise<DescribeLogDirsResponse> {
  const results = await ctx.broker.logDirs.describe(filterOf(request))
  return { errorCode: ErrorCode.NONE, results }
}

export default defineHandler(describeLogDirsApi, { min: 0, max: 4 }, handle, (_request, code) => ({
  errorCode: code, results: []
}), { requires: () => [onCluster(Op.DESCRIBE)] })

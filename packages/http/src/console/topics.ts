// The console's cluster and topic reads: the overview (brokers, counts, disk, partitions that are
// offline or under-replicated) and the topic list and detail with sizes and offsets. Rates are
// not kept here: the browser samples the offsets it is shown and divides by the time between.
// Adding partitions is the one topic write the v3 API lacks.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Admin } from '@brook/client'
import type { HttpContext } from '../context.js'
import { notFound, RestError } from '../errors.js'
import { allMetadata, EARLIEST, LATEST, logDirUsage, offsetsAt, tp, type ClusterMetadata } from './reads.js'

interface PartitionProblem { topic: string, partition: number, leader: number, replicas: number[], isr: number[] }

function problems (meta: ClusterMetadata): { offline: PartitionProblem[], underReplicated: PartitionProblem[] } {
  const offline: PartitionProblem[] = []
  const underReplicated: PartitionProblem[] = []
  for (const t of meta.topics.values()) {
    for (const p of t.partitions) {
      const row = { topic: t.name, partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr }
      if (p.leader < 0) offline.push(row)
      else if (p.isr.length < p.replicas.length) underReplicated.push(row)
    }
  }
  return { offline, underReplicated }
}

const allPartitions = (meta: ClusterMetadata, names?: Iterable<string>): Array<{ topic: string, partition: number }> => {
  const out: Array<{ topic: string, partition: number }> = []
  for (const name of names ?? meta.topics.keys()) for (const p of meta.topics.get(name)?.partitions ?? []) out.push({ topic: name, partition: p.partition })
  return out
}

export function registerTopicReads (app: FastifyInstance, ctx: HttpContext): void {
  // Each request runs as its user (with authentication on), through that user's client.
  const admin = (request: FastifyRequest): Admin => request.kafka.admin

  app.get('/console/api/overview', async (request) => {
    const meta = await allMetadata(admin(request))
    const partitions = allPartitions(meta)
    const [ends, starts, disk] = await Promise.all([
      offsetsAt(admin(request), meta, partitions, LATEST, ctx.logger),
      offsetsAt(admin(request), meta, partitions, EARLIEST, ctx.logger),
      logDirUsage(admin(request), meta, ctx.logger)
    ])
    let endSum = 0
    let messages = 0
    for (const p of partitions) {
      const end = ends.get(tp(p.topic, p.partition))
      if (end === undefined) continue
      endSum += Number(end)
      messages += Number(end - (starts.get(tp(p.topic, p.partition)) ?? 0n))
    }
    const { offline, underReplicated } = problems(meta)
    return {
      clusterId: meta.clusterId,
      controllerId: meta.controllerId,
      brokers: [...meta.brokers.values()].map((b) => ({ ...b, diskBytes: disk.byBroker.get(b.nodeId) ?? null })),
      topics: [...meta.topics.values()].filter((t) => !t.isInternal).length,
      internalTopics: [...meta.topics.values()].filter((t) => t.isInternal).length,
      partitions: partitions.length,
      messages,
      /** The sum of every partition's end offset: its change over time is messages in per second. */
      endOffsetSum: endSum,
      diskBytes: disk.total,
      offline: offline.slice(0, 100),
      offlineCount: offline.length,
      underReplicated: underReplicated.slice(0, 100),
      underReplicatedCount: underReplicated.length
    }
  })

  app.get('/console/api/topics', async (request) => {
    const meta = await allMetadata(admin(request))
    const partitions = allPartitions(meta)
    const [ends, starts, disk] = await Promise.all([
      offsetsAt(admin(request), meta, partitions, LATEST, ctx.logger),
      offsetsAt(admin(request), meta, partitions, EARLIEST, ctx.logger),
      logDirUsage(admin(request), meta, ctx.logger)
    ])
    const topics = [...meta.topics.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((t) => {
      let size: number | null = null
      let endSum = 0
      let messages = 0
      let offline = 0
      let underReplicated = 0
      for (const p of t.partitions) {
        const key = tp(t.name, p.partition)
        const bytes = disk.partitions.get(key)
        if (bytes !== undefined) size = (size ?? 0) + bytes
        const end = ends.get(key)
        if (end !== undefined) {
          endSum += Number(end)
          messages += Number(end - (starts.get(key) ?? 0n))
        }
        if (p.leader < 0) offline++
        else if (p.isr.length < p.replicas.length) underReplicated++
      }
      return {
        name: t.name,
        internal: t.isInternal,
        partitions: t.partitions.length,
        replicationFactor: t.partitions[0]?.replicas.length ?? 0,
        sizeBytes: size,
        messages,
        endOffsetSum: endSum,
        offline,
        underReplicated
      }
    })
    return { topics }
  })

  app.get<{ Params: { topic: string } }>('/console/api/topics/:topic', async (request) => {
    const name = request.params.topic
    const meta = await allMetadata(admin(request))
    const described = meta.topics.get(name)
    if (described === undefined) throw notFound(`Topic ${name} not found.`, 40401)
    const partitions = described.partitions.map((p) => ({ topic: name, partition: p.partition }))
    const [ends, starts, disk] = await Promise.all([
      offsetsAt(admin(request), meta, partitions, LATEST, ctx.logger),
      offsetsAt(admin(request), meta, partitions, EARLIEST, ctx.logger),
      logDirUsage(admin(request), meta, ctx.logger)
    ])
    return {
      name,
      internal: described.isInternal,
      topicId: described.topicId,
      partitions: described.partitions.map((p) => {
        const key = tp(name, p.partition)
        const start = starts.get(key)
        const end = ends.get(key)
        return {
          partition: p.partition,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          startOffset: start === undefined ? null : Number(start),
          endOffset: end === undefined ? null : Number(end),
          sizeBytes: disk.partitions.get(key) ?? null
        }
      })
    }
  })

  app.post<{ Params: { topic: string }, Body: { count?: unknown } }>('/console/api/topics/:topic/partitions', async (request, reply) => {
    const count = request.body?.count
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw new RestError(422, 422, 'count: the new total number of partitions (an integer)')
    await admin(request).createPartitions([{ topic: request.params.topic, count }])
    return await reply.status(204).send()
  })
}

// v3 topics (list, create, get, delete), their partitions and configs (list, get, set, reset, alter in batch).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TopicMetadata } from '@brook/client'
import type { HttpContext } from '../context.js'
import type { KafkaAccess } from '../kafka.js'
import { arrayField, configValue, intParam, objectBody, stringField } from '../body.js'
import { notFound, RestCode, unprocessable } from '../errors.js'
import { list, related, resource, type Links } from './resources.js'
import type { ClusterParams, ClusterResolver } from './index.js'
import { configResource } from './configs.js'

type TopicParams = ClusterParams & { topic: string }
type PartitionParams = TopicParams & { partition: string }
type ConfigParams = TopicParams & { name: string }

const TOPIC = 2

function topic (links: Links, t: TopicMetadata): unknown {
  const path = `/topics/${encodeURIComponent(t.name)}`
  return {
    ...resource(links, 'Topic', path, `/topic=${t.name}`),
    topic_name: t.name,
    is_internal: t.isInternal,
    replication_factor: t.partitions[0]?.replicas.length ?? 0,
    partitions_count: t.partitions.length,
    partitions: related(`${links.cluster}${path}/partitions`),
    configs: related(`${links.cluster}${path}/configs`),
    partition_reassignments: related(`${links.cluster}${path}/partitions/-/reassignment`),
    authorized_operations: []
  }
}

function partition (links: Links, topicName: string, p: TopicMetadata['partitions'][number]): unknown {
  const path = `/topics/${encodeURIComponent(topicName)}/partitions/${p.partition}`
  return {
    ...resource(links, 'Partition', path, `/topic=${topicName}/partition=${p.partition}`),
    topic_name: topicName,
    partition_id: p.partition,
    leader: related(`${links.cluster}${path}/replicas/${p.leader}`),
    replicas: related(`${links.cluster}${path}/replicas`),
    reassignment: related(`${links.cluster}${path}/reassignment`)
  }
}

export function registerTopics (app: FastifyInstance, _ctx: HttpContext, resolve: ClusterResolver): void {
  const admin = (request: FastifyRequest): KafkaAccess['admin'] => request.kafka.admin
  const describe = async (request: FastifyRequest, name: string): Promise<TopicMetadata> => {
    const [t] = await request.kafka.describeTopics([name])
    if (t === undefined) throw notFound(`This server does not host this topic-partition: ${name}`, RestCode.TOPIC_NOT_FOUND)
    return t
  }

  app.get<{ Params: ClusterParams }>('/v3/clusters/:cluster/topics', async (request) => {
    const links = await resolve(request)
    const names = await admin(request).listTopics({ includeInternal: true })
    const topics = names.length === 0 ? [] : await request.kafka.describeTopics(names)
    return list('Topic', `${links.cluster}/topics`, topics.map((t) => topic(links, t)))
  })

  app.post<{ Params: ClusterParams }>('/v3/clusters/:cluster/topics', async (request, reply) => {
    const links = await resolve(request)
    const body = objectBody(request.body)
    const name = stringField(body, 'topic_name')
    const count = body.partitions_count
    const factor = body.replication_factor
    if (count !== undefined && (typeof count !== 'number' || !Number.isSafeInteger(count))) throw unprocessable('partitions_count must be an integer')
    if (factor !== undefined && (typeof factor !== 'number' || !Number.isSafeInteger(factor))) throw unprocessable('replication_factor must be an integer')
    const configs: Record<string, string> = {}
    for (const c of body.configs === undefined ? [] : arrayField(body, 'configs')) {
      const o = objectBody(c)
      configs[stringField(o, 'name')] = configValue(o, 'value')
    }
    await admin(request).createTopics([{ topic: name, ...(count === undefined ? {} : { numPartitions: count }), ...(factor === undefined ? {} : { replicationFactor: factor }), configs }])
    return await reply.status(201).send(topic(links, await describe(request, name)))
  })

  app.get<{ Params: TopicParams }>('/v3/clusters/:cluster/topics/:topic', async (request) => {
    const links = await resolve(request)
    return topic(links, await describe(request, request.params.topic))
  })

  app.delete<{ Params: TopicParams }>('/v3/clusters/:cluster/topics/:topic', async (request, reply) => {
    await resolve(request)
    await admin(request).deleteTopics([request.params.topic])
    return await reply.status(204).send()
  })

  app.get<{ Params: TopicParams }>('/v3/clusters/:cluster/topics/:topic/partitions', async (request) => {
    const links = await resolve(request)
    const t = await describe(request, request.params.topic)
    return list('Partition', `${links.cluster}/topics/${encodeURIComponent(t.name)}/partitions`, t.partitions.map((p) => partition(links, t.name, p)))
  })

  app.get<{ Params: PartitionParams }>('/v3/clusters/:cluster/topics/:topic/partitions/:partition', async (request) => {
    const links = await resolve(request)
    const index = intParam(request.params.partition, 'partition_id')
    const t = await describe(request, request.params.topic)
    const p = t.partitions.find((x) => x.partition === index)
    if (p === undefined) throw notFound(`Partition ${index} of topic ${t.name} cannot be found.`, RestCode.PARTITION_NOT_FOUND)
    return partition(links, t.name, p)
  })

  const configPath = (t: string): string => `/topics/${encodeURIComponent(t)}/configs`
  const topicConfig = (links: Links, t: string, e: Parameters<typeof configResource>[4]): unknown => ({
    ...configResource(links, 'TopicConfig', `${configPath(t)}/${e.name}`, `/topic=${t}/config=${e.name}`, e),
    topic_name: t
  })

  app.get<{ Params: TopicParams }>('/v3/clusters/:cluster/topics/:topic/configs', async (request) => {
    const links = await resolve(request)
    const t = request.params.topic
    const entries = await admin(request).describeConfigs({ type: TOPIC, name: t })
    return list('TopicConfig', `${links.cluster}${configPath(t)}`, entries.map((e) => topicConfig(links, t, e)))
  })

  app.get<{ Params: ConfigParams }>('/v3/clusters/:cluster/topics/:topic/configs/:name', async (request) => {
    const links = await resolve(request)
    const { topic: t, name } = request.params
    const [entry] = await admin(request).describeConfigs({ type: TOPIC, name: t, keys: [name] })
    if (entry === undefined) throw notFound(`Config ${name} of topic ${t} cannot be found.`)
    return topicConfig(links, t, entry)
  })

  app.put<{ Params: ConfigParams }>('/v3/clusters/:cluster/topics/:topic/configs/:name', async (request, reply) => {
    await resolve(request)
    const body = objectBody(request.body)
    await admin(request).alterConfigs({ type: TOPIC, name: request.params.topic }, [{ name: request.params.name, value: configValue(body, 'value'), op: 'set' }])
    return await reply.status(204).send()
  })

  app.delete<{ Params: ConfigParams }>('/v3/clusters/:cluster/topics/:topic/configs/:name', async (request, reply) => {
    await resolve(request)
    await admin(request).alterConfigs({ type: TOPIC, name: request.params.topic }, [{ name: request.params.name, op: 'delete' }])
    return await reply.status(204).send()
  })

  // `configs:alter` is a literal colon in the REST Proxy's path (fastify's "::" escapes it).
  app.post<{ Params: TopicParams }>('/v3/clusters/:cluster/topics/:topic/configs::alter', async (request, reply) => {
    await resolve(request)
    const changes = arrayField(objectBody(request.body), 'data').map((item) => {
      const o = objectBody(item)
      const op = typeof o.operation === 'string' ? o.operation.toUpperCase() : 'SET'
      if (op !== 'SET' && op !== 'DELETE') throw unprocessable(`operation must be SET or DELETE, got ${op}`)
      return op === 'SET'
        ? { name: stringField(o, 'name'), value: configValue(o, 'value'), op: 'set' as const }
        : { name: stringField(o, 'name'), op: 'delete' as const }
    })
    await admin(request).alterConfigs({ type: TOPIC, name: request.params.topic }, changes)
    return await reply.status(204).send()
  })
}

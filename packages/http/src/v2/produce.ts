// REST Proxy v2 produce: POST /topics/{topic} and /topics/{topic}/partitions/{partition}, with
// the binary or json embedded format named by the Content-Type. Each record is sent on its own
// (they share batches all the same), so each gets its own offset or error in the answer, in
// request order, as the REST Proxy answers. Also the v2 topic and broker listings.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ProducerRecord } from '@brook/client'
import { arrayField, intParam, objectBody } from '../body.js'
import type { HttpContext } from '../context.js'
import { kafkaErrorCode, notFound, RestCode, RestError, unprocessable } from '../errors.js'
import { decodeEmbedded, formatOf, V2_CONTENT_TYPE } from '../formats.js'

type TopicParams = { topic: string }
type PartitionParams = { topic: string, partition: string }

async function produce (request: FastifyRequest, reply: FastifyReply, topic: string, urlPartition: number | undefined): Promise<FastifyReply> {
  const format = formatOf(request.headers['content-type'])
  if (format === null) throw new RestError(415, 415, `HTTP 415 Unsupported Media Type: produce with application/vnd.kafka.binary.v2+json or application/vnd.kafka.json.v2+json, not ${request.headers['content-type'] ?? 'no content type'}`)
  const body = objectBody(request.body)
  const list = arrayField(body, 'records')
  if (list.length === 0) throw unprocessable('records must hold at least one record')
  const [metadata] = await request.kafka.describeTopics([topic])
  const partitions = metadata?.partitions.length ?? 0
  if (urlPartition !== undefined && urlPartition >= partitions) throw notFound(`Partition ${urlPartition} of topic ${topic} not found`, RestCode.PARTITION_NOT_FOUND)
  const records: ProducerRecord[] = list.map((item, i) => {
    const r = objectBody(item)
    const partition = urlPartition ?? (r.partition === undefined || r.partition === null ? undefined : r.partition)
    if (partition !== undefined && (typeof partition !== 'number' || !Number.isSafeInteger(partition) || partition < 0)) throw unprocessable(`records[${i}].partition must be an integer >= 0`)
    if (partition !== undefined && partition >= partitions) throw notFound(`Partition ${partition} of topic ${topic} not found`, RestCode.PARTITION_NOT_FOUND)
    const key = decodeEmbedded(format, r.key, `records[${i}].key`)
    const value = decodeEmbedded(format, r.value, `records[${i}].value`)
    return { ...(key === null ? {} : { key }), value, ...(partition === undefined ? {} : { partition }) }
  })
  const producer = await request.kafka.producerFor(topic)
  const results = await Promise.allSettled(records.map(async (m) => await producer.send({ topic, messages: [m] })))
  const offsets = results.map((r) => {
    if (r.status === 'fulfilled') {
      const meta = r.value[0]
      return { partition: meta?.partition ?? null, offset: meta === undefined ? null : Number(meta.offset), error_code: null, error: null }
    }
    const err: unknown = r.reason
    return { partition: null, offset: null, error_code: kafkaErrorCode(err), error: err instanceof Error ? err.message : String(err) }
  })
  return await reply.type(V2_CONTENT_TYPE).send({ key_schema_id: null, value_schema_id: null, offsets })
}

export function registerV2Produce (app: FastifyInstance, _ctx: HttpContext): void {
  app.post<{ Params: TopicParams }>('/topics/:topic', async (request, reply) => await produce(request, reply, request.params.topic, undefined))
  app.post<{ Params: PartitionParams }>('/topics/:topic/partitions/:partition', async (request, reply) =>
    await produce(request, reply, request.params.topic, intParam(request.params.partition, 'partition')))

  app.get('/topics', async (request, reply) => await reply.type(V2_CONTENT_TYPE).send(await request.kafka.admin.listTopics()))

  app.get<{ Params: TopicParams }>('/topics/:topic', async (request, reply) => {
    const { topic } = request.params
    const [t] = await request.kafka.describeTopics([topic])
    const configs = await request.kafka.admin.describeConfigs({ type: 2, name: topic })
    return await reply.type(V2_CONTENT_TYPE).send({
      name: topic,
      configs: Object.fromEntries(configs.map((c) => [c.name, c.value])),
      partitions: (t?.partitions ?? []).map(v2Partition)
    })
  })

  app.get<{ Params: TopicParams }>('/topics/:topic/partitions', async (request, reply) => {
    const [t] = await request.kafka.describeTopics([request.params.topic])
    return await reply.type(V2_CONTENT_TYPE).send((t?.partitions ?? []).map(v2Partition))
  })

  app.get<{ Params: PartitionParams }>('/topics/:topic/partitions/:partition', async (request, reply) => {
    const index = intParam(request.params.partition, 'partition')
    const [t] = await request.kafka.describeTopics([request.params.topic])
    const p = t?.partitions.find((x) => x.partition === index)
    if (p === undefined) throw notFound(`Partition ${index} of topic ${request.params.topic} not found`, RestCode.PARTITION_NOT_FOUND)
    return await reply.type(V2_CONTENT_TYPE).send(v2Partition(p))
  })

  app.get('/brokers', async (request, reply) => {
    const cluster = await request.kafka.admin.describeCluster()
    return await reply.type(V2_CONTENT_TYPE).send({ brokers: cluster.brokers.map((b) => b.nodeId) })
  })
}

function v2Partition (p: { partition: number, leader: number, replicas: number[], isr: number[] }): unknown {
  return {
    partition: p.partition,
    leader: p.leader,
    replicas: p.replicas.map((broker) => ({ broker, leader: broker === p.leader, in_sync: p.isr.includes(broker) }))
  }
}

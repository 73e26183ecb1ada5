// REST Proxy v2 consumer instances: create, subscribe or assign, read records (long poll),
// seek, commit and fetch offsets, delete. Instances live in this HTTP server (consumers/).
import type { FastifyInstance } from 'fastify'
import { arrayField, getBody, objectBody, optionalIntParam, topicPartitionOffsets, topicPartitions, type Json } from '../body.js'
import type { HttpContext } from '../context.js'
import type { InstanceSettings } from '../consumers/instance.js'
import { RestCode, RestError } from '../errors.js'
import { contentTypeOf, encodeEmbedded, formatOf, V2_CONTENT_TYPE } from '../formats.js'

type GroupParams = { group: string }
type InstanceParams = { group: string, instance: string }

/** The REST Proxy's defaults: consumer.request.timeout.ms and consumer.request.max.bytes. */
const DEFAULT_REQUEST_TIMEOUT_MS = 1_000
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024
/** A records call waits at most this long whatever it asks (the server's request timeout is 30 s). */
const MAX_POLL_MS = 25_000

const CONFIG_NAMES = new Set(['name', 'format', 'auto.offset.reset', 'auto.commit.enable', 'fetch.min.bytes', 'consumer.request.timeout.ms'])

function settingsOf (group: string, body: Json): InstanceSettings {
  for (const name of Object.keys(body)) {
    if (!CONFIG_NAMES.has(name)) throw new RestError(422, RestCode.INVALID_CONSUMER_CONFIG, `unknown consumer setting ${name} (known: ${[...CONFIG_NAMES].join(', ')})`)
  }
  const text = (name: string): string | undefined => {
    const v = body[name]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new RestError(422, RestCode.INVALID_CONSUMER_CONFIG, `${name} must be a string`)
    return String(v)
  }
  const format = text('format') ?? 'binary'
  if (format !== 'binary' && format !== 'json') throw new RestError(422, RestCode.INVALID_CONSUMER_CONFIG, `format must be binary or json, got ${format}`)
  const reset = text('auto.offset.reset') ?? 'latest'
  if (reset !== 'earliest' && reset !== 'latest') throw new RestError(422, RestCode.INVALID_CONSUMER_CONFIG, `auto.offset.reset must be earliest or latest, got ${reset}`)
  const autoCommit = text('auto.commit.enable') ?? 'true'
  if (autoCommit !== 'true' && autoCommit !== 'false') throw new RestError(422, RestCode.INVALID_CONSUMER_CONFIG, `auto.commit.enable must be true or false, got ${autoCommit}`)
  const number = (name: string, fallback: number): number => {
    const v = text(name)
    const n = v === undefined ? fallback : Number(v)
    if (!Number.isSafeInteger(n) || n < 0) throw new RestError(422, RestCode.INVALID_CONSUMER_CONFIG, `${name} must be an integer >= 0`)
    return n
  }
  const name = text('name') ?? `rest-consumer-${crypto.randomUUID()}`
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(name)) throw new RestError(422, RestCode.INVALID_CONSUMER_CONFIG, 'name may hold letters, digits, ".", "_" and "-" only (1 to 249 of them)')
  return {
    group,
    name,
    format,
    autoOffsetReset: reset,
    autoCommit: autoCommit === 'true',
    requestTimeoutMs: Math.min(number('consumer.request.timeout.ms', DEFAULT_REQUEST_TIMEOUT_MS), MAX_POLL_MS),
    fetchMinBytes: Math.max(1, number('fetch.min.bytes', 1))
  }
}

export function registerV2Consumers (app: FastifyInstance, ctx: HttpContext): void {
  const v2 = V2_CONTENT_TYPE
  const base = '/consumers/:group/instances/:instance'

  app.post<{ Params: GroupParams }>('/consumers/:group', async (request, reply) => {
    const settings = settingsOf(request.params.group, objectBody(request.body, true))
    ctx.consumers.create(settings, request.kafka, request.principal)
    const host = request.headers.host ?? `${request.hostname}`
    const baseUri = `${request.protocol}://${host}/consumers/${encodeURIComponent(settings.group)}/instances/${encodeURIComponent(settings.name)}`
    return await reply.type(v2).send({ instance_id: settings.name, base_uri: baseUri })
  })

  app.delete<{ Params: InstanceParams }>(base, async (request, reply) => {
    await ctx.consumers.delete(request.params.group, request.params.instance, request.principal)
    return await reply.status(204).send()
  })

  app.post<{ Params: InstanceParams }>(`${base}/subscription`, async (request, reply) => {
    const instance = ctx.consumers.get(request.params.group, request.params.instance, request.principal)
    const body = objectBody(request.body)
    if (body.topic_pattern !== undefined) throw new RestError(422, 422, 'topic_pattern is not supported; name the topics')
    const topics = arrayField(body, 'topics').map((t, i) => {
      if (typeof t !== 'string' || t === '') throw new RestError(422, 422, `topics[${i}] must be a topic name`)
      return t
    })
    instance.subscribe(topics)
    return await reply.status(204).send()
  })

  app.get<{ Params: InstanceParams }>(`${base}/subscription`, async (request, reply) => {
    const instance = ctx.consumers.get(request.params.group, request.params.instance, request.principal)
    return await reply.type(v2).send({ topics: instance.subscription })
  })

  app.delete<{ Params: InstanceParams }>(`${base}/subscription`, async (request, reply) => {
    await ctx.consumers.get(request.params.group, request.params.instance, request.principal).unsubscribe()
    return await reply.status(204).send()
  })

  app.post<{ Params: InstanceParams }>(`${base}/assignments`, async (request, reply) => {
    const instance = ctx.consumers.get(request.params.group, request.params.instance, request.principal)
    instance.assign(topicPartitions(arrayField(objectBody(request.body), 'partitions')))
    return await reply.status(204).send()
  })

  app.get<{ Params: InstanceParams }>(`${base}/assignments`, async (request, reply) => {
    const instance = ctx.consumers.get(request.params.group, request.params.instance, request.principal)
    return await reply.type(v2).send({ partitions: instance.assignment() })
  })

  app.post<{ Params: InstanceParams }>(`${base}/positions`, async (request, reply) => {
    const instance = ctx.consumers.get(request.params.group, request.params.instance, request.principal)
    for (const o of topicPartitionOffsets(arrayField(objectBody(request.body), 'offsets'))) instance.seek(o.topic, o.partition, o.offset)
    return await reply.status(204).send()
  })

  for (const end of ['beginning', 'end'] as const) {
    app.post<{ Params: InstanceParams }>(`${base}/positions/${end}`, async (request, reply) => {
      const instance = ctx.consumers.get(request.params.group, request.params.instance, request.principal)
      const partitions = topicPartitions(arrayField(objectBody(request.body), 'partitions'))
      for (const topic of new Set(partitions.map((p) => p.topic))) {
        const offsets = await request.kafka.admin.fetchTopicOffsets(topic, end === 'beginning' ? 'earliest' : 'latest')
        for (const p of partitions.filter((x) => x.topic === topic)) {
          const found = offsets.find((o) => o.partition === p.partition)
          if (found === undefined) throw new RestError(404, RestCode.PARTITION_NOT_FOUND, `Partition ${p.partition} of topic ${topic} not found`)
          instance.seek(topic, p.partition, found.offset)
        }
      }
      return await reply.status(204).send()
    })
  }

  app.get<{ Params: InstanceParams, Querystring: { timeout?: string, max_bytes?: string } }>(`${base}/records`, async (request, reply) => {
    const instance = ctx.consumers.get(request.params.group, request.params.instance, request.principal)
    const { format } = instance.settings
    const accept = request.headers.accept
    const wanted = accept === undefined || accept === '*/*' ? format : formatOf(accept)
    if (wanted !== format) {
      throw new RestError(406, RestCode.CONSUMER_FORMAT_MISMATCH, `The requested embedded data format does not match the deserializer for this consumer instance (${contentTypeOf(format)})`)
    }
    const timeout = Math.min(optionalIntParam(request.query.timeout, 'timeout', instance.settings.requestTimeoutMs), MAX_POLL_MS)
    const maxBytes = optionalIntParam(request.query.max_bytes, 'max_bytes', DEFAULT_MAX_BYTES)
    const records = await instance.records(timeout, maxBytes, (m) => {
      const where = `${m.topic}-${m.partition}@${m.offset}`
      return { topic: m.topic, key: encodeEmbedded(format, m.key, where), value: encodeEmbedded(format, m.value, where), partition: m.partition, offset: Number(m.offset) }
    })
    return await reply.type(contentTypeOf(format)).send(records)
  })

  app.post<{ Params: InstanceParams }>(`${base}/offsets`, async (request, reply) => {
    const instance = ctx.consumers.get(request.params.group, request.params.instance, request.principal)
    const body = objectBody(request.body, true)
    await instance.commit(body.offsets === undefined ? null : topicPartitionOffsets(arrayField(body, 'offsets')))
    return await reply.status(204).send()
  })

  app.get<{ Params: InstanceParams }>(`${base}/offsets`, async (request, reply) => {
    const instance = ctx.consumers.get(request.params.group, request.params.instance, request.principal)
    const body = objectBody(request.body ?? await getBody(request), true)
    const partitions = body.partitions === undefined ? instance.assignment() : topicPartitions(arrayField(body, 'partitions'))
    const committed = await request.kafka.admin.listGroupOffsets(instance.settings.group, partitions)
    return await reply.type(v2).send({
      offsets: committed.map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.offset), metadata: '' }))
    })
  })
}

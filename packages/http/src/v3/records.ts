// v3 produce: POST /v3/clusters/{id}/topics/{topic}/records, one record per request, key and value
// each `{ type: BINARY | JSON | STRING, data }` (JSON when the type is left out), optional
// partition, headers (base64 values) and timestamp. The answer carries the offset, partition,
// timestamp and the sizes of what was stored.
import type { FastifyInstance } from 'fastify'
import type { HttpContext } from '../context.js'
import { arrayField, objectBody, stringField, type Json } from '../body.js'
import { notFound, RestCode, unprocessable } from '../errors.js'
import type { ClusterParams, ClusterResolver } from './index.js'

type TopicParams = ClusterParams & { topic: string }
const TYPES = new Set(['BINARY', 'JSON', 'STRING'])
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

interface Data { bytes: Buffer | null, type: string }

function dataOf (body: Json, field: 'key' | 'value'): Data {
  const raw = body[field]
  if (raw === undefined || raw === null) return { bytes: null, type: 'JSON' }
  const o = objectBody(raw)
  const type = o.type === undefined ? 'JSON' : typeof o.type === 'string' ? o.type.toUpperCase() : ''
  if (!TYPES.has(type)) throw unprocessable(`${field}.type must be BINARY, JSON or STRING (schema registry types are not served)`)
  const data = o.data
  if (data === undefined || data === null) return { bytes: null, type }
  if (type === 'JSON') return { bytes: Buffer.from(JSON.stringify(data), 'utf8'), type }
  if (typeof data !== 'string') throw unprocessable(`${field}.data must be a string for ${type}`)
  if (type === 'STRING') return { bytes: Buffer.from(data, 'utf8'), type }
  if (!BASE64.test(data)) throw unprocessable(`${field}.data must be base64 for BINARY`)
  return { bytes: Buffer.from(data, 'base64'), type }
}

function timestampOf (body: Json): number | undefined {
  const t = body.timestamp
  if (t === undefined || t === null) return undefined
  const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : Number.NaN
  if (!Number.isSafeInteger(ms) || ms < 0) throw unprocessable('timestamp must be an ISO-8601 date-time or milliseconds since the epoch')
  return ms
}

export function registerRecords (app: FastifyInstance, _ctx: HttpContext, resolve: ClusterResolver): void {
  app.post<{ Params: TopicParams }>('/v3/clusters/:cluster/topics/:topic/records', async (request) => {
    const links = await resolve(request)
    const topic = request.params.topic
    const body = objectBody(request.body)
    const key = dataOf(body, 'key')
    const value = dataOf(body, 'value')
    const timestamp = timestampOf(body)
    const partition = body.partition_id
    if (partition !== undefined && partition !== null && (typeof partition !== 'number' || !Number.isSafeInteger(partition) || partition < 0)) throw unprocessable('partition_id must be an integer >= 0')
    const headers = body.headers === undefined || body.headers === null
      ? []
      : arrayField(body, 'headers').map((h) => {
        const o = objectBody(h)
        const v = o.value
        if (v !== undefined && v !== null && (typeof v !== 'string' || !BASE64.test(v))) throw unprocessable('headers[].value must be base64')
        return { key: stringField(o, 'name'), value: typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.alloc(0) }
      })
    const [metadata] = await request.kafka.describeTopics([topic])
    if (typeof partition === 'number' && partition >= (metadata?.partitions.length ?? 0)) throw notFound(`Partition ${partition} of topic ${topic} not found`, RestCode.PARTITION_NOT_FOUND)
    const producer = await request.kafka.producerFor(topic)
    const sent = Date.now()
    const [meta] = await producer.send({
      topic,
      messages: [{
        ...(key.bytes === null ? {} : { key: key.bytes }),
        value: value.bytes,
        headers,
        ...(typeof partition === 'number' ? { partition } : {}),
        ...(timestamp === undefined ? {} : { timestamp })
      }]
    })
    const stored = meta?.logAppendTime !== undefined && meta.logAppendTime >= 0n ? Number(meta.logAppendTime) : timestamp ?? sent
    return {
      error_code: 200,
      cluster_id: links.clusterId,
      topic_name: topic,
      partition_id: meta?.partition ?? 0,
      offset: Number(meta?.offset ?? -1n),
      timestamp: new Date(stored).toISOString(),
      key: key.bytes === null ? null : { type: key.type, size: key.bytes.length },
      value: value.bytes === null ? null : { type: value.type, size: value.bytes.length }
    }
  })
}

// The OpenAPI 3.0 document of the HTTP API, served at GET /openapi.json. One table lists every
// endpoint; server.ts checks at start that each is routed, so the document cannot name an
// endpoint that does not exist.
type Method = 'get' | 'post' | 'put' | 'delete'

interface Endpoint {
  method: Method
  path: string
  tag: 'health' | 'v2 produce' | 'v2 consumers' | 'v3 admin'
  summary: string
  body?: string
  /** The success status when it is not 200 (GET, POST) or 204 (PUT, DELETE). */
  status?: number
}

const V3 = '/v3/clusters/{cluster}'
const INSTANCE = '/consumers/{group}/instances/{instance}'

export const ENDPOINTS: readonly Endpoint[] = [
  { method: 'get', path: '/healthz', tag: 'health', summary: 'Liveness: the process serves HTTP' },
  { method: 'get', path: '/readyz', tag: 'health', summary: 'Readiness: the broker answers Kafka requests' },
  { method: 'get', path: '/metrics', tag: 'health', summary: 'Prometheus metrics (text format 0.0.4)' },
  { method: 'get', path: '/openapi.json', tag: 'health', summary: 'This document' },
  { method: 'post', path: '/topics/{topic}', tag: 'v2 produce', summary: 'Produce records (binary or json embedded format)', body: '{"records":[{"key"?,"value","partition"?}]}' },
  { method: 'post', path: '/topics/{topic}/partitions/{partition}', tag: 'v2 produce', summary: 'Produce records to one partition', body: '{"records":[{"key"?,"value"}]}' },
  { method: 'get', path: '/topics', tag: 'v2 produce', summary: 'Topic names' },
  { method: 'get', path: '/topics/{topic}', tag: 'v2 produce', summary: 'A topic: partitions and configs' },
  { method: 'get', path: '/topics/{topic}/partitions', tag: 'v2 produce', summary: 'A topic\'s partitions' },
  { method: 'get', path: '/topics/{topic}/partitions/{partition}', tag: 'v2 produce', summary: 'One partition' },
  { method: 'get', path: '/brokers', tag: 'v2 produce', summary: 'Broker ids' },
  { method: 'post', path: '/consumers/{group}', tag: 'v2 consumers', summary: 'Create a consumer instance', body: '{"name"?,"format"?,"auto.offset.reset"?,"auto.commit.enable"?,"fetch.min.bytes"?,"consumer.request.timeout.ms"?}' },
  { method: 'delete', path: INSTANCE, tag: 'v2 consumers', summary: 'Close a consumer instance' },
  { method: 'post', path: `${INSTANCE}/subscription`, tag: 'v2 consumers', summary: 'Subscribe to topics', status: 204, body: '{"topics":[...]}' },
  { method: 'get', path: `${INSTANCE}/subscription`, tag: 'v2 consumers', summary: 'The subscribed topics' },
  { method: 'delete', path: `${INSTANCE}/subscription`, tag: 'v2 consumers', summary: 'Unsubscribe' },
  { method: 'post', path: `${INSTANCE}/assignments`, tag: 'v2 consumers', summary: 'Assign partitions', status: 204, body: '{"partitions":[{"topic","partition"}]}' },
  { method: 'get', path: `${INSTANCE}/assignments`, tag: 'v2 consumers', summary: 'The assigned partitions' },
  { method: 'post', path: `${INSTANCE}/positions`, tag: 'v2 consumers', summary: 'Seek to offsets', status: 204, body: '{"offsets":[{"topic","partition","offset"}]}' },
  { method: 'post', path: `${INSTANCE}/positions/beginning`, tag: 'v2 consumers', summary: 'Seek to the first offsets', status: 204, body: '{"partitions":[{"topic","partition"}]}' },
  { method: 'post', path: `${INSTANCE}/positions/end`, tag: 'v2 consumers', summary: 'Seek to the end', status: 204, body: '{"partitions":[{"topic","partition"}]}' },
  { method: 'get', path: `${INSTANCE}/records`, tag: 'v2 consumers', summary: 'Records (long poll: ?timeout=ms&max_bytes=n)' },
  { method: 'post', path: `${INSTANCE}/offsets`, tag: 'v2 consumers', summary: 'Commit delivered records, or the given offsets', status: 204, body: '{"offsets"?:[{"topic","partition","offset"}]}' },
  { method: 'get', path: `${INSTANCE}/offsets`, tag: 'v2 consumers', summary: 'Committed offsets', body: '{"partitions"?:[{"topic","partition"}]}' },
  { method: 'get', path: '/v3/clusters', tag: 'v3 admin', summary: 'Clusters (this one)' },
  { method: 'get', path: V3, tag: 'v3 admin', summary: 'The cluster' },
  { method: 'get', path: `${V3}/brokers`, tag: 'v3 admin', summary: 'Brokers' },
  { method: 'get', path: `${V3}/brokers/{broker}`, tag: 'v3 admin', summary: 'A broker' },
  { method: 'get', path: `${V3}/brokers/{broker}/configs`, tag: 'v3 admin', summary: 'A broker\'s configs' },
  { method: 'get', path: `${V3}/topics`, tag: 'v3 admin', summary: 'Topics' },
  { method: 'post', path: `${V3}/topics`, tag: 'v3 admin', summary: 'Create a topic', status: 201, body: '{"topic_name","partitions_count"?,"replication_factor"?,"configs"?:[{"name","value"}]}' },
  { method: 'get', path: `${V3}/topics/{topic}`, tag: 'v3 admin', summary: 'A topic' },
  { method: 'delete', path: `${V3}/topics/{topic}`, tag: 'v3 admin', summary: 'Delete a topic' },
  { method: 'get', path: `${V3}/topics/{topic}/partitions`, tag: 'v3 admin', summary: 'A topic\'s partitions' },
  { method: 'get', path: `${V3}/topics/{topic}/partitions/{partition}`, tag: 'v3 admin', summary: 'A partition' },
  { method: 'get', path: `${V3}/topics/{topic}/configs`, tag: 'v3 admin', summary: 'A topic\'s configs' },
  { method: 'get', path: `${V3}/topics/{topic}/configs/{name}`, tag: 'v3 admin', summary: 'One topic config' },
  { method: 'put', path: `${V3}/topics/{topic}/configs/{name}`, tag: 'v3 admin', summary: 'Set a topic config', body: '{"value"}' },
  { method: 'delete', path: `${V3}/topics/{topic}/configs/{name}`, tag: 'v3 admin', summary: 'Reset a topic config to its default' },
  { method: 'post', path: `${V3}/topics/{topic}/configs:alter`, tag: 'v3 admin', summary: 'Set and reset topic configs at once', status: 204, body: '{"data":[{"name","value"?,"operation"?}]}' },
  { method: 'post', path: `${V3}/topics/{topic}/records`, tag: 'v3 admin', summary: 'Produce one record', body: '{"partition_id"?,"headers"?:[{"name","value"}],"key"?:{"type","data"},"value"?:{"type","data"},"timestamp"?}' },
  { method: 'get', path: `${V3}/consumer-groups`, tag: 'v3 admin', summary: 'Consumer groups' },
  { method: 'get', path: `${V3}/consumer-groups/{group}`, tag: 'v3 admin', summary: 'A consumer group' },
  { method: 'get', path: `${V3}/consumer-groups/{group}/consumers`, tag: 'v3 admin', summary: 'A group\'s members' },
  { method: 'get', path: `${V3}/consumer-groups/{group}/lags`, tag: 'v3 admin', summary: 'Lag per partition' },
  { method: 'get', path: `${V3}/consumer-groups/{group}/lag-summary`, tag: 'v3 admin', summary: 'Maximum and total lag' }
]

/** An OpenAPI path as fastify routes it: {param} -> :param, and a literal ':' doubled. */
export function fastifyPath (path: string): string {
  return path.replace(/:/g, '::').replace(/\{([a-z_]+)\}/g, ':$1')
}

const ERROR = { type: 'object', required: ['error_code', 'message'], properties: { error_code: { type: 'integer' }, message: { type: 'string' } } }

export function openApiDocument (version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const e of ENDPOINTS) {
    const parameters = [...e.path.matchAll(/\{([a-z_]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }))
    const item = paths[e.path] ?? {}
    paths[e.path] = item
    const operation: Record<string, unknown> = {
      tags: [e.tag],
      summary: e.summary,
      parameters,
      responses: {
        default: { description: 'The REST Proxy\'s error body', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        [String(e.status ?? (e.method === 'delete' || e.method === 'put' ? 204 : 200))]: { description: 'Success' }
      }
    }
    if (e.body !== undefined) operation.requestBody = { description: e.body, content: { 'application/json': { schema: { type: 'object' } } } }
    item[e.method] = operation
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Brook HTTP API', version, description: 'A REST API in the shapes of Confluent\'s REST Proxy (v2 produce and consumers, v3 admin), health checks and Prometheus metrics.' },
    paths,
    components: { schemas: { Error: ERROR } }
  }
}

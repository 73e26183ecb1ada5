// startHttpServer: the HTTP API of a Kafka cluster, on every address of http.listeners. One
// fastify app per address, sharing one Kafka client and one set of REST consumer instances. It
// runs next to a broker (`brook start`: `broker` given, /metrics serves the broker's registry) or
// as its own process against any Kafka-compatible cluster (`brook http`: `bootstrap` only).
// Every failure answers the REST Proxy's error body ({ error_code, message }); bad input
// (malformed JSON, oversized bodies, unknown content types, bad parameters) is a 4xx.
import Fastify, { type FastifyBodyParser, type FastifyError, type FastifyInstance } from 'fastify'
import { ConfigError, type RunningBroker } from '@brook/broker'
import type { ClientOptions } from '@brook/client'
import { type Logger, silentLogger } from '@brook/common'
import { ConsumerInstances } from './consumers/registry.js'
import type { HttpContext } from './context.js'
import { toRestError } from './errors.js'
import { KafkaAccess } from './kafka.js'
import { parseHttpListeners } from './listeners.js'
import { registerHealth } from './health.js'
import { registerV2Produce } from './v2/produce.js'
import { registerV2Consumers } from './v2/consumers.js'
import { registerV3 } from './v3/index.js'
import { ENDPOINTS, fastifyPath, openApiDocument } from './openapi.js'
import { HttpMetrics } from './metrics.js'
import { type HttpAuthentication, registerAuthentication } from './auth/authenticate.js'
import { PrincipalClients } from './auth/principals.js'

export interface StartHttpServerOptions {
  /** The cluster the REST API works on: host:port entries. Default: the in-process broker's listener. */
  bootstrap?: readonly string[]
  /** How to reach the cluster (security, client id, timeouts); `brokers` comes from `bootstrap`. */
  client?: Omit<ClientOptions, 'brokers' | 'logger'>
  /** A broker in this process: /metrics serves its registry too. One of `broker` and `bootstrap` is needed. */
  broker?: RunningBroker
  /** http.listeners: `http://host:port` entries (a string is comma-separated); port 0 binds a free port. */
  listeners: string | readonly string[]
  logger?: Logger
  /** Largest request body (bytes); larger ones answer 413. Default 16 MiB. */
  bodyLimit?: number
  /** Idle REST consumer instances are closed after this long (consumer.instance.timeout.ms). Default 300000. */
  consumerInstanceTimeoutMs?: number
  /** The certificate chain and key of https:// listeners (http.ssl.keystore.location, PEM). */
  tls?: HttpTls
  /** HTTP Basic authentication, each request carried out as its user (http.authentication.*); null or absent: open. */
  authentication?: HttpAuthentication | null
}

export interface HttpTls { cert: Buffer, key: Buffer, passphrase?: string }

export interface HttpServer {
  /** The bound addresses, in listener order. */
  readonly addresses: Array<{ host: string, port: number, url: string }>
  /** Stops listening, closes REST consumer instances and the Kafka client. Idempotent. */
  close: () => Promise<void>
}

const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024
/** The API's version in the OpenAPI document (the package's). */
const VERSION = '0.1.0'
const KAFKA_JSON = /^application\/vnd\.kafka(\.[a-z0-9]+)*\+json(;.*)?$/i

export async function startHttpServer (options: StartHttpServerOptions): Promise<HttpServer> {
  const logger = options.logger ?? silentLogger
  const endpoints = parseHttpListeners(options.listeners)
  if (endpoints.some((e) => e.tls) && options.tls === undefined) throw new ConfigError('http.ssl.keystore.location', 'an https:// listener in http.listeners needs http.ssl.keystore.location (a PEM file with the certificate chain and the key)')
  const bootstrap = options.bootstrap ?? (options.broker === undefined ? [] : [options.broker.bootstrap])
  if (bootstrap.length === 0) throw new Error('startHttpServer needs a bootstrap list or an in-process broker')
  const kafka = new KafkaAccess({ ...options.client, brokers: [...bootstrap] }, logger)
  const consumers = new ConsumerInstances(logger, options.consumerInstanceTimeoutMs ?? 300_000)
  const metrics = new HttpMetrics(options.broker)
  const ctx: HttpContext = { broker: options.broker, kafka, consumers, metrics, logger }
  const authentication = options.authentication ?? null
  const principals = authentication === null
    ? null
    : new PrincipalClients({
      client: { clientId: 'brook-http', ...options.client, brokers: [...(authentication.bootstrap ?? (options.broker === undefined ? bootstrap : [saslListenerOf(options.broker)]))] },
      mechanism: authentication.mechanism,
      idleTimeoutMs: authentication.clientIdleTimeoutMs,
      logger,
      inUse: (user) => consumers.owns(user)
    })
  const hook = { authentication, principals, kafka, logger }
  const apps: FastifyInstance[] = []
  const addresses: HttpServer['addresses'] = []
  try {
    for (const endpoint of endpoints) {
      const app = buildApp(ctx, metrics, hook, options.bodyLimit ?? DEFAULT_BODY_LIMIT, endpoint.tls ? options.tls : undefined)
      apps.push(app)
      await app.listen({ host: endpoint.host, port: endpoint.port })
      const bound = app.server.address()
      const port = typeof bound === 'object' && bound !== null ? bound.port : endpoint.port
      const host = endpoint.host
      const url = `${endpoint.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`
      addresses.push({ host, port, url })
      logger.info({ url }, `HTTP API on ${url}`)
    }
  } catch (err) {
    // The start failed (an address in use, say): undo what started, then report the cause.
    const closed = await Promise.allSettled(apps.map(async (a) => await a.close()))
    for (const r of closed) if (r.status === 'rejected') logger.warn({ err: r.reason }, 'closing an HTTP listener failed')
    await consumers.closeAll()
    await principals?.closeAll()
    await kafka.close()
    throw err
  }
  let closing: Promise<void> | null = null
  return {
    addresses,
    close: async () => {
      closing ??= (async () => {
        await Promise.all(apps.map(async (a) => await a.close()))
        await consumers.closeAll()
        await principals?.closeAll()
        await kafka.close()
      })()
      await closing
    }
  }
}

/** Next to a broker, users' clients connect through its first SASL_PLAINTEXT listener. */
function saslListenerOf (broker: RunningBroker): string {
  const listener = broker.listeners.find((l) => broker.config.securityProtocol(l.name) === 'SASL_PLAINTEXT')
  if (listener === undefined) throw new ConfigError('http.authentication.method', 'http.authentication.method=BASIC next to a broker needs a SASL_PLAINTEXT listener (users authenticate to the broker through it)')
  const host = ['', '0.0.0.0', '::'].includes(listener.host) ? '127.0.0.1' : listener.host
  return `${host.includes(':') ? `[${host}]` : host}:${listener.port}`
}

function buildApp (ctx: HttpContext, metrics: HttpMetrics, hook: Parameters<typeof registerAuthentication>[1], bodyLimit: number, tls: HttpTls | undefined): FastifyInstance {
  // A slow client gets 30 s to send its request; a records long poll stays well inside it.
  const settings = { bodyLimit, requestTimeout: 30_000, connectionTimeout: 30_000, logger: false, return503OnClosing: true }
  // An https app is typed over node's https.Server; the routes use nothing that differs.
  const app = tls === undefined ? Fastify(settings) : Fastify({ ...settings, https: tls }) as unknown as FastifyInstance
  metrics.observe(app)
  registerAuthentication(app, hook)
  // REST Proxy clients send their JSON content type on bodiless requests too (DELETE an
  // instance, commit everything): an empty body is no body, anything else must be JSON.
  const json = app.getDefaultJsonParser('error', 'error')
  const parser: FastifyBodyParser<string> = (request, body, done) => {
    if (body.length === 0) done(null, undefined)
    else void json(request, body, done)
  }
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser)
  app.addContentTypeParser(KAFKA_JSON, { parseAs: 'string' }, parser)
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const rest = toRestError(err)
    if (rest !== null) {
      void reply.status(rest.status).send({ error_code: rest.errorCode, message: rest.message })
      return
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
    if (status === 500) ctx.logger.error({ err, method: request.method, url: request.url }, 'HTTP request failed')
    void reply.status(status).send({ error_code: status === 500 ? 50001 : status, message: status === 500 ? `Internal server error: ${err.message}` : err.message })
  })
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error_code: 404, message: `HTTP 404 Not Found: no endpoint ${request.method} ${request.url.split('?')[0] ?? ''}` })
  })
  registerHealth(app, ctx)
  registerV2Produce(app, ctx)
  registerV2Consumers(app, ctx)
  registerV3(app, ctx)
  const document = openApiDocument(VERSION)
  app.get('/openapi.json', async () => document)
  for (const e of ENDPOINTS) {
    if (!app.hasRoute({ method: e.method.toUpperCase(), url: fastifyPath(e.path) })) throw new Error(`the OpenAPI document names ${e.method.toUpperCase()} ${e.path}, which is not routed`)
  }
  return app
}

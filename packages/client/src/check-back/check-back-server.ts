// The application's side of Brook's transactional check-back: when a transaction of a registered
// transactional.id prefix is still open at its timeout, the broker fences the producer and POSTs
// the transaction to this endpoint, which answers from the application's own records (was the
// database transaction behind it committed?) with {"decision":"commit"} or {"decision":"abort"}.
// Anything but a 200 with one of those makes the broker ask again later, so a failing or
// undecided `decide` answers 500 (retry), never a guess.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Logger, silentLogger } from '@brook/common'

export interface CheckBackRequest {
  transactionalId: string
  producerId: bigint
  producerEpoch: number
  partitions: Array<{ topic: string, partition: number }>
  transactionStartTimeMs: number
  /** 1 for the first time the broker asks about this transaction. */
  attempt: number
}

export type CheckBackDecision = 'commit' | 'abort'

export interface CheckBackServerOptions {
  /** Answers for one transaction; throw (or answer late) to have the broker ask again. */
  decide: (request: CheckBackRequest) => Promise<CheckBackDecision> | CheckBackDecision
  /** Default 0: any free port. */
  port?: number
  /** Default '127.0.0.1'. */
  host?: string
  /** The path the broker posts to. Default '/kafka-check'. */
  path?: string
  logger?: Logger
}

export interface CheckBackServer {
  /** The URL to register: `transaction.checkback.endpoints=<prefix>=<url>`. */
  readonly url: string
  readonly port: number
  close: () => Promise<void>
}

/** A request body is a few hundred bytes; anything far larger is not the broker's. */
const MAX_BODY_BYTES = 1 << 20

export class CheckBackRequestError extends Error {}

/** Checks the JSON the broker sends; the reason names the first bad field. */
export function parseCheckBackRequest (body: string): CheckBackRequest {
  let raw: unknown
  try {
    raw = JSON.parse(body)
  } catch {
    throw new CheckBackRequestError('the body is not JSON')
  }
  if (typeof raw !== 'object' || raw === null) throw new CheckBackRequestError('the body is not a JSON object')
  const o = raw as Record<string, unknown>
  if (typeof o.transactionalId !== 'string' || o.transactionalId === '') throw new CheckBackRequestError('transactionalId must be a non-empty string')
  if (typeof o.producerId !== 'string' || !/^-?\d+$/.test(o.producerId)) throw new CheckBackRequestError('producerId must be a decimal string')
  if (!Number.isInteger(o.producerEpoch)) throw new CheckBackRequestError('producerEpoch must be an integer')
  if (!Number.isInteger(o.attempt)) throw new CheckBackRequestError('attempt must be an integer')
  if (typeof o.transactionStartTimeMs !== 'number') throw new CheckBackRequestError('transactionStartTimeMs must be a number')
  if (!Array.isArray(o.partitions)) throw new CheckBackRequestError('partitions must be a list')
  const partitions = o.partitions.map((p: unknown) => {
    const x = p as Record<string, unknown> | null
    if (x === null || typeof x !== 'object' || typeof x.topic !== 'string' || !Number.isInteger(x.partition)) throw new CheckBackRequestError('each partition needs a topic and a partition number')
    return { topic: x.topic, partition: x.partition as number }
  })
  return {
    transactionalId: o.transactionalId,
    producerId: BigInt(o.producerId),
    producerEpoch: o.producerEpoch as number,
    partitions,
    transactionStartTimeMs: o.transactionStartTimeMs,
    attempt: o.attempt as number
  }
}

function reply (res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

async function readBody (req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) return null
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export async function startCheckBackServer (options: CheckBackServerOptions): Promise<CheckBackServer> {
  const logger = options.logger ?? silentLogger
  const path = options.path ?? '/kafka-check'
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if ((req.url ?? '').split('?')[0] !== path) { reply(res, 404, { error: `not found; the check-back path is ${path}` }); return }
    if (req.method !== 'POST') { res.setHeader('allow', 'POST'); reply(res, 405, { error: 'POST only' }); return }
    const body = await readBody(req)
    if (body === null) { reply(res, 413, { error: 'body too large' }); return }
    let request: CheckBackRequest
    try {
      request = parseCheckBackRequest(body)
    } catch (err) {
      if (!(err instanceof CheckBackRequestError)) throw err
      reply(res, 400, { error: err.message })
      return
    }
    let decision: CheckBackDecision
    try {
      decision = await options.decide(request)
    } catch (err) {
      logger.warn({ err, transactionalId: request.transactionalId }, 'check-back: decide failed; the broker will ask again')
      reply(res, 500, { error: 'undecided' })
      return
    }
    if (decision !== 'commit' && decision !== 'abort') {
      logger.warn({ decision, transactionalId: request.transactionalId }, 'check-back: decide answered neither commit nor abort')
      reply(res, 500, { error: 'undecided' })
      return
    }
    logger.info({ transactionalId: request.transactionalId, attempt: request.attempt, decision }, 'check-back answered')
    reply(res, 200, { decision })
  }
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'check-back request failed')
      if (!res.headersSent) reply(res, 500, { error: 'internal error' })
      else res.destroy()
    })
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => { server.off('error', reject); resolve() })
  })
  const { port } = server.address() as AddressInfo
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${port}${path}`,
    port,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => server.close((err) => { if (err !== undefined) reject(err); else resolve() }))
    }
  }
}

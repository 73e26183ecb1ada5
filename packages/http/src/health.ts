// Liveness, readiness and Prometheus metrics.
// /healthz: the process serves HTTP. /readyz: the broker answers a Kafka request (DescribeCluster
// through the client) within 5 s: the cluster, whether or not a broker runs in this process.
// /metrics: Prometheus text (metrics.ts says what it holds).
import type { FastifyInstance } from 'fastify'
import type { HttpContext } from './context.js'

const READY_TIMEOUT_MS = 5_000

export function registerHealth (app: FastifyInstance, ctx: HttpContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }))

  app.get('/readyz', async (_request, reply) => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS) })
    try {
      const cluster = await Promise.race([ctx.kafka.admin.describeCluster(), timeout])
      return { status: 'ready', cluster_id: cluster.clusterId, brokers: cluster.brokers.length }
    } catch (err) {
      return await reply.status(503).send({ error_code: 503, message: `the broker is not ready: ${(err as Error).message}` })
    } finally {
      clearTimeout(timer)
    }
  })

  app.get('/metrics', async (_request, reply) => {
    const metrics = ctx.metrics
    return await reply.type(metrics.contentType).send(await metrics.render())
  })
}

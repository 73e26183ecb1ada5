// The console's transactions view: every transactional id the brokers coordinate, with its
// producer id and state (ListTransactions on each broker, merged).
import type { FastifyInstance } from 'fastify'
import { ErrorCode, listTransactionsApi } from '@brook/protocol'
import type { HttpContext } from '../context.js'
import { allMetadata } from './reads.js'

export function registerTransactions (app: FastifyInstance, ctx: HttpContext): void {
  app.get('/console/api/transactions', async (request) => {
    const admin = request.kafka.admin
    const meta = await allMetadata(admin)
    const found = new Map<string, { transactionalId: string, producerId: number, state: string, coordinator: number }>()
    await Promise.all([...meta.brokers.keys()].map(async (nodeId) => {
      try {
        const connection = await admin.cluster.broker(nodeId)
        const r = await connection.request(listTransactionsApi, { stateFilters: [], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: null })
        if (r.errorCode !== ErrorCode.NONE) throw new Error(`ListTransactions answered error ${r.errorCode}`)
        for (const t of r.transactionStates) found.set(t.transactionalId, { transactionalId: t.transactionalId, producerId: Number(t.producerId), state: t.transactionState, coordinator: nodeId })
      } catch (err) {
        ctx.logger.warn({ broker: nodeId, err: (err as Error).message }, 'console: ListTransactions failed')
      }
    }))
    return { transactions: [...found.values()].sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : 1)) }
  })
}

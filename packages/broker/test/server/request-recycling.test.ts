// A request gathered from several socket chunks lands in a pooled buffer. The connection gives that
// buffer back only for handlers that declare releasesRequestBytes, and only once they settled:
// retained views (group metadata, say) must never be overwritten by a later request.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { once } from 'node:events'
import { produceApi, type ProduceRequest, type ProduceResponse } from '@brook/protocol'
import { BrokerConfig } from '../../src/config/broker-config.js'
import { defineHandler, type Handler } from '../../src/handlers/handler.js'
import { createLogger } from '../../src/logger.js'
import { BufferPool } from '@brook/common'
import { Connection } from '../../src/server/connection.js'
import type { BrokerState } from '../../src/server/request-context.js'
import { RawClient } from '../helpers/raw-client.js'
import { produceBody } from '../helpers/records.js'

const RECORDS_BYTES = 200_000

interface Harness {
  server: Server
  bootstrap: string
  pool: BufferPool
  /** Every records view a handler was given, in arrival order. */
  seen: Buffer[]
  /** Requests whose bytes changed while their handler was still running. */
  changedWhileRunning: number
}

function answer (request: ProduceRequest): ProduceResponse {
  return {
    responses: request.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: 0, baseOffset: 0n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null }))
    })),
    throttleTimeMs: 0
  }
}

async function harness (releasesRequestBytes: boolean): Promise<Harness> {
  const pool = new BufferPool()
  const h: Omit<Harness, 'server' | 'bootstrap'> = { pool, seen: [], changedWhileRunning: 0 }
  const handler = defineHandler(produceApi, { min: 3, max: 11 }, async (_ctx, request) => {
    const records = request.topicData[0]?.partitionData[0]?.records
    if (!(records instanceof Buffer)) throw new Error('records expected')
    h.seen.push(records)
    const copy = Buffer.from(records)
    // Settle later than the next request's arrival, as a write to disk does.
    await new Promise((resolve) => setTimeout(resolve, 5))
    if (!records.equals(copy)) h.changedWhileRunning++
    return answer(request)
  }, () => null, { releasesRequestBytes })
  const handlers = new Map<number, Handler>([[produceApi.key, handler]])
  // Connection reads only these fields of the broker's state.
  const partial: Pick<BrokerState, 'config' | 'fetchBuffers' | 'requestBuffers' | 'handlers' | 'logger'> = {
    config: new BrokerConfig({}),
    fetchBuffers: new BufferPool(),
    requestBuffers: pool,
    handlers: [handler],
    logger: createLogger({ level: 'silent' })
  }
  const state = partial as BrokerState
  const server = createServer((socket: Socket) => { new Connection(socket, state, handlers, state.logger) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  return Object.assign(h, { server, bootstrap: `127.0.0.1:${address.port}` })
}

function recordsOf (seed: number): Buffer {
  const b = Buffer.alloc(RECORDS_BYTES)
  for (let i = 0; i < b.length; i++) b[i] = (seed * 31 + i * 7) & 0xff
  return b
}

let recycling: Harness
let retaining: Harness

before(async () => {
  recycling = await harness(true)
  retaining = await harness(false)
})
after(async () => {
  await Promise.all([recycling, retaining].map(async (h) => {
    h.server.close()
    await once(h.server, 'close')
  }))
})

test('a handler that releases its request gets pooled buffers back, reused once it settled', async () => {
  const client = await RawClient.connect(recycling.bootstrap)
  const sent = Array.from({ length: 12 }, (_, i) => recordsOf(i))
  // Pipelined: several requests are in flight at once, so each needs its own buffer.
  await Promise.all(sent.map(async (records) => await client.request(produceApi, 9, produceBody('t', records))))
  assert.equal(recycling.seen.length, sent.length)
  assert.equal(recycling.changedWhileRunning, 0)
  assert.ok(recycling.pool.idleBytes > 0, 'settled requests returned their buffers')
  const before = new Set(recycling.seen.map((v) => v.buffer))
  await client.request(produceApi, 9, produceBody('t', recordsOf(99)))
  const last = recycling.seen.at(-1)
  assert.ok(last !== undefined && before.has(last.buffer), 'a later request reuses a returned buffer')
  assert.ok(last.equals(recordsOf(99)))
  assert.equal(recycling.changedWhileRunning, 0)
  client.close()
})

test('views kept by a handler that does not release its request are never overwritten', async () => {
  const client = await RawClient.connect(retaining.bootstrap)
  const sent = Array.from({ length: 12 }, (_, i) => recordsOf(i))
  for (const records of sent) await client.request(produceApi, 9, produceBody('t', records))
  await Promise.all(sent.map(async (records) => await client.request(produceApi, 9, produceBody('t', records))))
  assert.equal(retaining.pool.idleBytes, 0)
  assert.equal(retaining.seen.length, 2 * sent.length)
  assert.equal(retaining.changedWhileRunning, 0)
  retaining.seen.forEach((view, i) => { assert.ok(view.equals(sent[i % sent.length] as Buffer), `request ${i} intact`) })
  client.close()
})

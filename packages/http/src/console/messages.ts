// The console's message browser: records of a topic by partition and offset, from a timestamp,
// or the newest first, and a search by key or by a text or JSON filter over a bounded window of
// the newest records (`scan` records at most, spread over the partitions searched). Keys, values
// and header values are sent as base64: the browser shows them as JSON, text or hex.
import type { FastifyInstance } from 'fastify'
import type { HttpContext } from '../context.js'
import { notFound, RestError } from '../errors.js'
import { allMetadata, EARLIEST, LATEST, offsetsAt, readRanges, tp, type RawRecord, type ReadRange } from './reads.js'

const MAX_LIMIT = 500
const DEFAULT_SCAN = 10_000
const MAX_SCAN = 100_000
/** Values past this many bytes are cut in the answer (the size says how large they are). */
const MAX_SHOWN_BYTES = 64 * 1024

interface BrowseQuery {
  partition?: string
  mode?: string
  offset?: string
  timestamp?: string
  limit?: string
  key?: string
  text?: string
  json?: string
  scan?: string
}

const badRequest = (message: string): RestError => new RestError(400, 400, message)

function intParam (value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${name}: an integer from ${min} to ${max}`)
  return n
}

/** `path=value` on a JSON value: dotted field names (array indexes as numbers), compared as text. */
function jsonFilter (expression: string): (value: unknown) => boolean {
  const eq = expression.indexOf('=')
  if (eq <= 0) throw badRequest('json: a filter of the form field.path=value')
  const path = expression.slice(0, eq).trim().replace(/^\$\.?/, '').split('.').filter((s) => s !== '')
  const want = expression.slice(eq + 1).trim()
  return (value) => {
    let at: unknown = value
    for (const step of path) {
      if (at === null || typeof at !== 'object') return false
      at = (at as Record<string, unknown>)[step]
    }
    if (at === undefined) return false
    const text = typeof at === 'string' ? at : JSON.stringify(at)
    return text === want || JSON.stringify(at) === want
  }
}

function matcher (q: BrowseQuery): ((r: RawRecord) => boolean) | null {
  const tests: Array<(r: RawRecord) => boolean> = []
  if (q.key !== undefined && q.key !== '') {
    const key = Buffer.from(q.key)
    tests.push((r) => r.key !== null && r.key.equals(key))
  }
  if (q.text !== undefined && q.text !== '') {
    const needle = q.text.toLowerCase()
    tests.push((r) => r.value !== null && r.value.toString('utf8').toLowerCase().includes(needle))
  }
  if (q.json !== undefined && q.json !== '') {
    const test = jsonFilter(q.json)
    tests.push((r) => {
      if (r.value === null) return false
      try {
        return test(JSON.parse(r.value.toString('utf8')))
      } catch {
        return false // not JSON: no match, as the filter asks for a JSON field
      }
    })
  }
  return tests.length === 0 ? null : (r) => tests.every((t) => t(r))
}

const shown = (b: Buffer | null): { data: string | null, size: number, truncated: boolean } =>
  b === null ? { data: null, size: 0, truncated: false } : { data: b.subarray(0, MAX_SHOWN_BYTES).toString('base64'), size: b.length, truncated: b.length > MAX_SHOWN_BYTES }

const toJson = (r: RawRecord): unknown => ({
  partition: r.partition,
  offset: Number(r.offset),
  timestamp: Number(r.timestamp),
  key: shown(r.key),
  value: shown(r.value),
  headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('base64') }))
})

export function registerMessages (app: FastifyInstance, ctx: HttpContext): void {
  app.get<{ Params: { topic: string }, Querystring: BrowseQuery }>('/console/api/topics/:topic/messages', async (request) => {
    const topic = request.params.topic
    const q = request.query
    const admin = request.kafka.admin
    const meta = await allMetadata(admin)
    const described = meta.topics.get(topic)
    if (described === undefined) throw notFound(`Topic ${topic} not found.`, 40401)
    const limit = intParam(q.limit, 'limit', 50, 1, MAX_LIMIT)
    const partitionCount = described.partitions.length
    const partitions = q.partition === undefined || q.partition === '' || q.partition === 'all'
      ? described.partitions.map((p) => p.partition)
      : [intParam(q.partition, 'partition', 0, 0, partitionCount - 1)]
    const wanted = partitions.map((partition) => ({ topic, partition }))
    const [starts, ends] = await Promise.all([
      offsetsAt(admin, meta, wanted, EARLIEST, ctx.logger),
      offsetsAt(admin, meta, wanted, LATEST, ctx.logger)
    ])
    const match = matcher(q)
    const mode = q.mode ?? 'newest'
    let records: RawRecord[] = []
    let scanned = 0
    let windowComplete = true

    if (match !== null) {
      // Search: the newest `scan` records, shared among the partitions that have any.
      const scan = intParam(q.scan, 'scan', DEFAULT_SCAN, 1, MAX_SCAN)
      const live = partitions.filter((p) => (ends.get(tp(topic, p)) ?? 0n) > (starts.get(tp(topic, p)) ?? 0n))
      const share = BigInt(Math.max(1, Math.floor(scan / Math.max(1, live.length))))
      const ranges: ReadRange[] = live.map((p) => {
        const end = ends.get(tp(topic, p)) ?? 0n
        const start = starts.get(tp(topic, p)) ?? 0n
        const from = end - share > start ? end - share : start
        if (from > start) windowComplete = false
        return { partition: p, from, until: end }
      })
      const read = await readRanges(admin, meta, topic, ranges, Number(share))
      scanned = read.length
      for (const r of read) if (match(r)) records.push(r)
      records.sort((a, b) => Number(b.timestamp - a.timestamp) || Number(b.offset - a.offset))
    } else if (mode === 'newest') {
      const ranges: ReadRange[] = partitions.map((p) => {
        const end = ends.get(tp(topic, p)) ?? 0n
        const start = starts.get(tp(topic, p)) ?? 0n
        return { partition: p, from: end - BigInt(limit) > start ? end - BigInt(limit) : start, until: end }
      })
      // Many partitions: a smaller share of bytes each, so one round reads them all.
      records = await readRanges(admin, meta, topic, ranges, limit, ranges.length > 100 ? 64 * 1024 : 1024 * 1024)
      records.sort((a, b) => Number(b.timestamp - a.timestamp) || Number(b.offset - a.offset))
    } else if (mode === 'offset' || mode === 'timestamp') {
      let from: Map<string, bigint>
      if (mode === 'offset') {
        if (partitions.length !== 1) throw badRequest('mode=offset: choose one partition')
        const offset = q.offset === undefined || q.offset === '' ? 0 : Number(q.offset)
        if (!Number.isSafeInteger(offset) || offset < 0) throw badRequest('offset: a non-negative integer')
        from = new Map([[tp(topic, partitions[0]!), BigInt(offset)]])
      } else {
        const ts = Number(q.timestamp)
        if (q.timestamp === undefined || !Number.isSafeInteger(ts) || ts < 0) throw badRequest('timestamp: milliseconds since the epoch')
        from = await offsetsAt(admin, meta, wanted, BigInt(ts), ctx.logger)
      }
      const ranges: ReadRange[] = []
      for (const p of partitions) {
        const start = starts.get(tp(topic, p)) ?? 0n
        const at = from.get(tp(topic, p))
        if (at !== undefined) ranges.push({ partition: p, from: at < start ? start : at, until: ends.get(tp(topic, p)) ?? 0n })
      }
      records = await readRanges(admin, meta, topic, ranges, limit, ranges.length > 100 ? 64 * 1024 : 1024 * 1024)
      records.sort((a, b) => Number(a.timestamp - b.timestamp) || a.partition - b.partition || Number(a.offset - b.offset))
    } else {
      throw badRequest('mode: newest, offset or timestamp')
    }
    const more = records.length > limit
    records = records.slice(0, limit)
    return {
      topic,
      partitions: partitions.length,
      records: records.map(toJson),
      more,
      ...(match === null ? {} : { scanned, windowComplete })
    }
  })
}

// The stateful network fuzzer: hostile connections to a live broker, each sending one to four
// golden request frames of real clients after mutation (bit flips, bytes and integers set to
// boundary values, truncation, size prefixes rewritten or left wrong, splices between frames,
// api versions inside and outside what the broker advertises, and field-level mutations: the
// frame decoded, one value set to an extreme (huge or negative counts and ids, empty or long
// strings, arrays repeated), encoded again, so that garbage reaches the handlers and not only the
// decoders). For every connection the fuzzer predicts which frames are complete and must be
// answered (all but acks=0 Produce), and checks that the broker answers them in order, with their
// correlation ids, or closes the connection. A request that may legitimately wait (a long poll)
// counts as parked, not hung. Every case is replayable from (seed, connection index).
import { readdirSync, readFileSync } from 'node:fs'
import { apiByKey, ApiKey, decodeRequest, decodeRequestHeader, encodeRequestFrame, Reader } from '@brook/protocol'
import { type Rng, prng } from '@brook/common'
import { advertisedRanges, GOLDEN_DIR, RawConnection } from '@brook/testkit'

const int = (r: Rng, n: number): number => Math.floor(r() * n)
const pick = <T>(r: Rng, a: readonly T[]): T => a[int(r, a.length)] as T

/**
 * Requests that may wait on purpose: long polls and rebalances, and the topic admin requests, which
 * queue behind one another on the broker's topic admin queue, where one request for a thousand
 * new partitions (a valid request) takes tens of seconds on a loaded machine. Unanswered within
 * the bound, these count as parked, not hung.
 */
const MAY_WAIT = new Set<number>([
  ApiKey.Fetch, ApiKey.JoinGroup, ApiKey.SyncGroup, ApiKey.ShareFetch,
  ApiKey.CreateTopics, ApiKey.DeleteTopics, ApiKey.CreatePartitions, ApiKey.AlterConfigs, ApiKey.IncrementalAlterConfigs
])
/** The broker's socket.request.max.bytes default: larger size prefixes close the connection. */
const MAX_FRAME = 104_857_600
const INTERESTING_NUMBERS = [0, -1, 1, 0x7f, -0x80, 0x7fff, -0x8000, 0x7fffffff, -0x80000000, 1000, 65535]
const INTERESTING_BIGINTS = [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n]
const INTERESTING_STRINGS = ['', ' ', 'x'.repeat(300), '..', 'ü\u0000', '-']

function goldenRequestFrames (): Buffer[] {
  return readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.hex')).sort()
    .map((f) => Buffer.from(readFileSync(GOLDEN_DIR + f, 'utf8').replace(/\s+/g, ''), 'hex'))
}

// ---- mutations ----

type Leaf = { holder: Record<string, unknown> | unknown[], key: string | number, value: unknown }

function leaves (value: unknown, out: Leaf[], depth = 0): Leaf[] {
  if (depth > 8 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return out
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value)
  for (const [key, v] of entries) {
    out.push({ holder: value as Record<string, unknown>, key, value: v })
    leaves(v, out, depth + 1)
  }
  return out
}

function extreme (r: Rng, v: unknown): unknown {
  if (typeof v === 'number') return pick(r, INTERESTING_NUMBERS)
  if (typeof v === 'bigint') return pick(r, INTERESTING_BIGINTS)
  if (typeof v === 'string') return pick(r, INTERESTING_STRINGS)
  if (typeof v === 'boolean') return !v
  if (Array.isArray(v)) return r() < 0.3 ? [] : Array.from({ length: 1 + int(r, 40) }, () => v[int(r, Math.max(1, v.length))])
  return v
}

/** Decodes the frame, sets one value to an extreme, encodes it again; the frame as it was if any step fails. */
function mutateField (frame: Buffer, r: Rng): Buffer {
  try {
    const reader = new Reader(frame, 4)
    const header = decodeRequestHeader(reader)
    const api = apiByKey(header.apiKey)
    if (api === undefined) return frame
    const body = decodeRequest(api, header.apiVersion, reader)
    const all = leaves(body, [])
    if (all.length === 0) return frame
    const leaf = pick(r, all)
    ;(leaf.holder as Record<string | number, unknown>)[leaf.key] = extreme(r, leaf.value)
    return Buffer.concat(encodeRequestFrame(header.correlationId, header.clientId, api, header.apiVersion, body))
  } catch {
    // An extreme the field's type cannot encode (an int16 set to 2^31): the harness's own limit.
    return frame
  }
}

function mutateBytes (frame: Buffer, r: Rng, seeds: readonly Buffer[]): Buffer {
  const out = Buffer.from(frame)
  const at = int(r, Math.max(1, out.length))
  switch (int(r, 7)) {
    case 0: if (out.length > 0) out[at] = (out[at] as number) ^ (1 << int(r, 8)); return out
    case 1: if (out.length >= at + 4) out.writeInt32BE(pick(r, INTERESTING_NUMBERS), at); return out
    case 2: if (out.length >= at + 2) out.writeInt16BE(pick(r, [0, -1, 0x7fff, -0x8000, 1]), at); return out
    case 3: return out.subarray(0, at)
    case 4: {
      const other = pick(r, seeds)
      const from = int(r, other.length)
      return Buffer.concat([out.subarray(0, at), other.subarray(from, from + 1 + int(r, 200)), out.subarray(at)])
    }
    case 5: if (out.length >= 4) out.writeInt32BE(pick(r, [-1, 0, out.length, out.length - 8, 0x7fffffff, MAX_FRAME + 1]), 0); return out
    default: if (out.length > 0) out[at] = int(r, 256); return out
  }
}

function withVersion (frame: Buffer, r: Rng, ranges: ReadonlyMap<number, { min: number, max: number }>): Buffer {
  if (frame.length < 8) return frame
  const range = ranges.get(frame.readInt16BE(4))
  const out = Buffer.from(frame)
  const inside = range === undefined ? 0 : range.min + int(r, range.max - range.min + 1)
  out.writeInt16BE(pick(r, [inside, inside, -1, (range?.max ?? 0) + 1, 0x7fff]), 6)
  return out
}

function fixSize (frame: Buffer): Buffer {
  if (frame.length < 4) return frame
  const out = Buffer.from(frame)
  out.writeInt32BE(out.length - 4, 0)
  return out
}

interface HostileCase { index: number, frames: Buffer[], chunks: number }

function hostileCase (seed: number, index: number, seeds: readonly Buffer[], ranges: ReadonlyMap<number, { min: number, max: number }>): HostileCase {
  const r = prng(seed * 1_000_003 + index)
  const frames: Buffer[] = []
  const count = 1 + int(r, 4)
  for (let i = 0; i < count; i++) {
    let frame = pick(r, seeds)
    // Half the frames get field mutations only (they decode, and reach the handlers), half get
    // byte-level ones and versions (they test the decoders and the connection's recovery).
    const ops = 1 + int(r, 3)
    const fieldsOnly = r() < 0.5
    for (let k = 0; k < ops; k++) {
      const which = r()
      if (fieldsOnly || which < 0.2) frame = mutateField(frame, r)
      else if (which < 0.8) frame = mutateBytes(frame, r, seeds)
      else frame = withVersion(frame, r, ranges)
    }
    // Mostly keep the size prefix honest, so that mutations reach the decoders and handlers.
    if (r() < 0.75) frame = fixSize(frame)
    frames.push(frame)
  }
  return { index, frames, chunks: 1 + int(r, 3) }
}

// ---- expectations ----

interface Expected { correlationId: number, apiKey: number }

/** The complete frames of the stream that must be answered, in order (the broker may close instead). */
function expectedAnswers (stream: Buffer): Expected[] {
  const out: Expected[] = []
  let pos = 0
  while (stream.length - pos >= 4) {
    const size = stream.readInt32BE(pos)
    if (size < 0 || size > MAX_FRAME || stream.length - pos - 4 < size) break
    const frame = stream.subarray(pos + 4, pos + 4 + size)
    pos += 4 + size
    if (frame.length < 8) {
      out.push({ correlationId: -1, apiKey: -1 })
      continue
    }
    const apiKey = frame.readInt16BE(0)
    if (apiKey === ApiKey.Produce && producesWithoutAcks(frame)) continue
    out.push({ correlationId: frame.readInt32BE(4), apiKey })
  }
  return out
}

function producesWithoutAcks (frame: Buffer): boolean {
  try {
    const reader = new Reader(frame)
    const header = decodeRequestHeader(reader)
    const api = apiByKey(header.apiKey)
    if (api === undefined) return false
    return (decodeRequest(api, header.apiVersion, reader) as { acks: number }).acks === 0
  } catch {
    // Undecodable: the broker closes the connection, which satisfies the check.
    return false
  }
}

// ---- running ----

type Outcome = 'answered' | 'closed' | 'parked' | 'hung' | 'misanswered'

export interface NetworkFuzzReport {
  connections: number
  frames: number
  outcomes: Record<Outcome, number>
  /** Replayable failures: connection index, what went wrong, the frames as hex. */
  failures: Array<{ index: number, outcome: Outcome, detail: string, frames: string[] }>
}

async function runCase (host: string, port: number, c: HostileCase, answerTimeoutMs: number): Promise<{ outcome: Outcome, detail: string }> {
  const conn = await RawConnection.connect(host, port)
  try {
    const stream = Buffer.concat(c.frames)
    const expected = expectedAnswers(stream)
    const step = Math.ceil(stream.length / c.chunks)
    for (let i = 0; i < stream.length; i += step) {
      conn.write(stream.subarray(i, i + step))
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    for (const want of expected) {
      let frame: Buffer | undefined
      try {
        frame = await conn.nextFrame(answerTimeoutMs)
      } catch {
        // No answer in time: a request that may wait on purpose is parked, anything else hung.
        return MAY_WAIT.has(want.apiKey) ? { outcome: 'parked', detail: `api ${want.apiKey}` } : { outcome: 'hung', detail: `api ${want.apiKey} correlation ${want.correlationId}` }
      }
      if (frame === undefined) return { outcome: 'closed', detail: '' }
      const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : null
      if (correlationId !== want.correlationId) return { outcome: 'misanswered', detail: `expected correlation ${want.correlationId} (api ${want.apiKey}), got ${correlationId}` }
    }
    return { outcome: conn.isClosed ? 'closed' : 'answered', detail: '' }
  } finally {
    conn.destroy()
  }
}

export interface NetworkFuzzOptions {
  host: string
  port: number
  seed: number
  /** Hostile connections in all. */
  connections: number
  /** How many run at once. */
  concurrency: number
  answerTimeoutMs: number
  /** Called after each connection (progress, liveness checks). */
  onCase?: (index: number) => void
}

export async function runNetworkFuzz (options: NetworkFuzzOptions): Promise<NetworkFuzzReport> {
  const seeds = goldenRequestFrames()
  const ranges = advertisedRanges()
  const report: NetworkFuzzReport = {
    connections: 0, frames: 0, outcomes: { answered: 0, closed: 0, parked: 0, hung: 0, misanswered: 0 }, failures: []
  }
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < options.connections) {
      const index = next++
      const c = hostileCase(options.seed, index, seeds, ranges)
      const { outcome, detail } = await runCase(options.host, options.port, c, options.answerTimeoutMs)
      report.connections++
      report.frames += c.frames.length
      report.outcomes[outcome]++
      if (outcome === 'hung' || outcome === 'misanswered') {
        report.failures.push({ index, outcome, detail, frames: c.frames.map((f) => f.toString('hex')) })
      }
      options.onCase?.(index)
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  return report
}

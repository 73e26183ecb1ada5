// Checks on request bodies and parameters: a wrong shape answers 422 (or 400) naming the field,
// never a crash.
import type { FastifyRequest } from 'fastify'
import { RestError, unprocessable } from './errors.js'

export type Json = Record<string, unknown>

export function objectBody (body: unknown, optional = false): Json {
  if ((body === undefined || body === null || body === '') && optional) return {}
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw unprocessable('the request body must be a JSON object')
  return body as Json
}

export function arrayField (body: Json, name: string): unknown[] {
  const v = body[name]
  if (!Array.isArray(v)) throw unprocessable(`${name} must be an array`)
  return v
}

export function stringField (body: Json, name: string): string {
  const v = body[name]
  if (typeof v !== 'string' || v === '') throw unprocessable(`${name} must be a non-empty string`)
  return v
}

function intField (body: Json, name: string, min = 0): number {
  const v = body[name]
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw unprocessable(`${name} must be an integer >= ${min}`)
  return v
}

/** A path or query parameter that must be an integer. */
export function intParam (value: string | undefined, name: string, min = 0): number {
  const n = Number(value)
  if (value === undefined || value === '' || !Number.isSafeInteger(n) || n < min) throw new RestError(400, 400, `${name} must be an integer >= ${min}`)
  return n
}

export function optionalIntParam (value: string | undefined, name: string, fallback: number): number {
  return value === undefined ? fallback : intParam(value, name)
}

/** `{ topic, partition }` entries of a partitions list. */
export function topicPartitions (list: unknown[]): Array<{ topic: string, partition: number }> {
  return list.map((p) => {
    const o = objectBody(p)
    return { topic: stringField(o, 'topic'), partition: intField(o, 'partition') }
  })
}

/** `{ topic, partition, offset }` entries of an offsets list. */
export function topicPartitionOffsets (list: unknown[]): Array<{ topic: string, partition: number, offset: bigint }> {
  return list.map((p) => {
    const o = objectBody(p)
    return { topic: stringField(o, 'topic'), partition: intField(o, 'partition'), offset: BigInt(intField(o, 'offset')) }
  })
}

/** Largest body read from a GET (GET .../offsets names partitions in one). */
const GET_BODY_LIMIT = 1024 * 1024

/**
 * The JSON body of a GET: fastify parses no body for GET, but the REST Proxy's GET .../offsets
 * takes one, so it is read here from the request stream (bounded; 413 past the bound).
 */
export async function getBody (request: FastifyRequest): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request.raw) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > GET_BODY_LIMIT) throw new RestError(413, 413, `Request body is too large (over ${GET_BODY_LIMIT} bytes)`)
    chunks.push(buf)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new RestError(400, 400, `Body is not valid JSON: ${(err as Error).message}`)
  }
}

/** A config value: a string (numbers and booleans are taken as their text). */
export function configValue (body: Json, name: string): string {
  const v = body[name]
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  throw unprocessable(`${name} must be a string`)
}

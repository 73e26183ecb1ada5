// The REST Proxy's embedded formats: how a record's key and value travel inside the JSON body.
// binary: base64 strings; json: any JSON value, stored as its UTF-8 JSON text. null stays null
// (a tombstone) in both. Content types name the format: application/vnd.kafka.<format>.v2+json.
import { RestError } from './errors.js'

export type EmbeddedFormat = 'binary' | 'json'

export const V2_CONTENT_TYPE = 'application/vnd.kafka.v2+json'

const EMBEDDED = /^application\/vnd\.kafka\.([a-z]+)\.v2\+json$/

/** The embedded format a Content-Type or Accept value names; plain JSON types mean json. */
export function formatOf (contentType: string | undefined): EmbeddedFormat | null {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === 'application/json' || type === V2_CONTENT_TYPE || type === 'application/vnd.kafka+json') return 'json'
  const m = EMBEDDED.exec(type)
  if (m === null) return null
  if (m[1] === 'binary' || m[1] === 'json') return m[1]
  return null
}

export function contentTypeOf (format: EmbeddedFormat): string {
  return `application/vnd.kafka.${format}.v2+json`
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** A key or value of a produce body as the bytes to send (null: no key, or a tombstone). */
export function decodeEmbedded (format: EmbeddedFormat, value: unknown, what: string): Buffer | null {
  if (value === undefined || value === null) return null
  if (format === 'json') return Buffer.from(JSON.stringify(value), 'utf8')
  if (typeof value !== 'string' || !BASE64.test(value)) throw new RestError(422, 42201, `${what} must be a base64 string in the binary format`)
  return Buffer.from(value, 'base64')
}

/** A fetched key or value in the consumer's format. */
export function encodeEmbedded (format: EmbeddedFormat, bytes: Buffer | null, where: string): unknown {
  if (bytes === null) return null
  if (format === 'binary') return bytes.toString('base64')
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown
  } catch (err) {
    throw new RestError(500, 50002, `the record at ${where} is not JSON (${(err as Error).message}); seek past it, or read the topic with a binary consumer`)
  }
}

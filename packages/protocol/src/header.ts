// Request and response headers, and whole frames (size prefix + header + body).
//
// Frame:            int32 size (bytes after it), header, body.
// Request header v0: int16 apiKey, int16 apiVersion, int32 correlationId.
//                v1: v0 + clientId (STRING, nullable; never compact, even in v2).
//                v2: v1 + tagged-field section (unsigned varint count, ...).
// Response header v0: int32 correlationId.   v1: v0 + tagged-field section.
//
// Which version: a request at a flexible version of its API (version >= flexibleMin) uses request
// header v2 and response header v1; otherwise v1 and v0. Exceptions: ControlledShutdown v0 uses
// request header v0; ApiVersions responses always use response header v0, even at v3+ with a
// flexible body, because a client reads that response before it knows what the broker supports.
// A request with an api key Brook has no schema for is read with header v1 so the
// broker can still answer (or close) with the right correlation id.
// Recovery: a header that does not parse means the stream is garbage: the caller closes the connection.
import { Reader } from './primitives/reader.js'
import { Writer } from './primitives/writer.js'
import { apiByKey } from './messages/index.js'
import { decodeResponse, encodeRequest, encodeResponse } from './schema/codec.js'
import type { ApiSchema } from './schema/types.js'

const API_VERSIONS_KEY = 18
const CONTROLLED_SHUTDOWN_KEY = 7

export interface RequestHeader {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
  headerVersion: 0 | 1 | 2
}

export function requestHeaderVersion (apiKey: number, apiVersion: number): 0 | 1 | 2 {
  const api = apiByKey(apiKey)
  if (api === undefined) return 1
  if (apiKey === CONTROLLED_SHUTDOWN_KEY && apiVersion === 0) return 0
  return apiVersion >= api.flexibleMin ? 2 : 1
}

export function responseHeaderVersion (apiKey: number, apiVersion: number): 0 | 1 {
  if (apiKey === API_VERSIONS_KEY) return 0
  const api = apiByKey(apiKey)
  if (api === undefined) return 0
  return apiVersion >= api.flexibleMin ? 1 : 0
}

/** Reads a request header from the start of a frame (without its size prefix); the reader is left at the body. */
export function decodeRequestHeader (reader: Reader): RequestHeader {
  const apiKey = reader.readInt16()
  const apiVersion = reader.readInt16()
  const correlationId = reader.readInt32()
  const headerVersion = requestHeaderVersion(apiKey, apiVersion)
  let clientId: string | null = null
  if (headerVersion >= 1) clientId = reader.readNullableString()
  if (headerVersion === 2) reader.skipTaggedFields()
  return { apiKey, apiVersion, correlationId, clientId, headerVersion }
}

export function encodeRequestHeader (writer: Writer, apiKey: number, apiVersion: number, correlationId: number, clientId: string | null): void {
  writer.writeInt16(apiKey).writeInt16(apiVersion).writeInt32(correlationId)
  const headerVersion = requestHeaderVersion(apiKey, apiVersion)
  if (headerVersion >= 1) writer.writeNullableString(clientId)
  if (headerVersion === 2) writer.writeEmptyTaggedFields()
}

// One writer serves every frame: it never reuses bytes it has handed out (see writer.ts).
const shared = new Writer()

function frame (write: (w: Writer) => void): Buffer[] {
  const slot = shared.reserveSize()
  try {
    write(shared)
  } catch (err) {
    shared.reset()
    throw err
  }
  shared.fillSize(slot)
  return shared.toBuffers()
}

/** A complete response frame, as buffers for a vectored write (record data is referenced, not copied). */
export function encodeResponseFrame<Res> (correlationId: number, api: ApiSchema<unknown, Res>, version: number, body: Res): Buffer[] {
  return frame((w) => {
    w.writeInt32(correlationId)
    if (responseHeaderVersion(api.key, version) === 1) w.writeEmptyTaggedFields()
    encodeResponse(api, version, body, w)
  })
}

/** A complete request frame (for clients and tests). */
export function encodeRequestFrame<Req> (correlationId: number, clientId: string | null, api: ApiSchema<Req, unknown>, version: number, body: Req): Buffer[] {
  return frame((w) => {
    encodeRequestHeader(w, api.key, version, correlationId, clientId)
    encodeRequest(api, version, body, w)
  })
}

/** The correlation id of a response frame (without its size prefix), to match it to its request. */
export function readCorrelationId (frame: Buffer): number {
  return new Reader(frame).readInt32()
}

/** Decodes a response frame (without its size prefix) to a request sent at `version`. */
export function decodeResponseFrame<Res> (frame: Buffer, api: ApiSchema<unknown, Res>, version: number): { correlationId: number, body: Res } {
  const reader = new Reader(frame)
  const correlationId = reader.readInt32()
  if (responseHeaderVersion(api.key, version) === 1) reader.skipTaggedFields()
  return { correlationId, body: decodeResponse(api, version, reader) }
}

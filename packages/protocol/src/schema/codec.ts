// The one generic codec: encodes and decodes any message described by schema data (src/messages,
// src/internal-records) at any of its versions. Each (schema, version) is compiled once into
// closures (compile.ts) and cached. Bodies only: headers and size prefixes are header.ts's job.
//
// Decoded values alias the input: bytes and records fields are views of the reader's buffer, so a
// caller that keeps them must keep (and not reuse) that buffer. Fields the version does not carry
// decode to their defaults; on encode they are ignored, and a missing (undefined) field is written
// as its default.
import { ProtocolError } from '../protocol-error.js'
import type { Reader } from '../primitives/reader.js'
import type { Writer } from '../primitives/writer.js'
import type { ApiSchema, MessageSchema } from './types.js'
import { inVersions, parseVersions } from './versions.js'
import { compileStruct, type Struct, type StructCodec } from './compile.js'

const compiled = new WeakMap<MessageSchema, Array<StructCodec | undefined>>()

/** The compiled codec of a message at a version; throws BROOK_ERR_UNSUPPORTED_VERSION outside validVersions. */
export function codecFor (schema: MessageSchema, version: number): StructCodec {
  let byVersion = compiled.get(schema)
  if (byVersion === undefined) {
    byVersion = []
    compiled.set(schema, byVersion)
  }
  let codec = byVersion[version]
  if (codec === undefined) {
    const valid = parseVersions(schema.validVersions)
    if (!Number.isInteger(version) || version < valid.min || version > valid.max) {
      throw new ProtocolError('BROOK_ERR_UNSUPPORTED_VERSION', `${schema.name} has no version ${version} (valid ${schema.validVersions})`)
    }
    codec = compileStruct(schema.fields, version, inVersions(schema.flexibleVersions, version), schema.name)
    byVersion[version] = codec
  }
  return codec
}

export function decodeMessage<T> (schema: MessageSchema<T>, version: number, reader: Reader): T {
  return codecFor(schema, version).decode(reader) as T
}

export function encodeMessage<T> (schema: MessageSchema<T>, version: number, value: T, writer: Writer): void {
  codecFor(schema, version).encode(writer, value as Struct)
}

export function decodeRequest<Req> (api: ApiSchema<Req, unknown>, version: number, reader: Reader): Req {
  return decodeMessage(api.request, version, reader)
}

export function encodeRequest<Req> (api: ApiSchema<Req, unknown>, version: number, body: Req, writer: Writer): void {
  encodeMessage(api.request, version, body, writer)
}

export function decodeResponse<Res> (api: ApiSchema<unknown, Res>, version: number, reader: Reader): Res {
  return decodeMessage(api.response, version, reader)
}

export function encodeResponse<Res> (api: ApiSchema<unknown, Res>, version: number, body: Res, writer: Writer): void {
  encodeMessage(api.response, version, body, writer)
}

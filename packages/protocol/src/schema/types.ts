// The shape of Brook's protocol schema data (src/messages, src/internal-records). It mirrors Kafka's
// JSON message specs, keeping only what the wire needs. Version specs keep Kafka's notation:
// '3+' (3 and later), '0-4', '2' (only 2), 'none'.

/** Types with a fixed wire encoding; anything else names a struct and comes with `fields`. */
export type PrimitiveType =
  | 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64'
  | 'string' | 'uuid' | 'bytes' | 'records'

export type DefaultValue = number | bigint | boolean | string | null

export interface FieldSchema {
  /** camelCase: the property name in JS objects. */
  readonly name: string
  /** A primitive, '[]' + primitive, a struct name, or '[]' + struct name. */
  readonly type: string
  /** Versions in which the field exists. */
  readonly versions: string
  readonly nullableVersions?: string
  /** Versions in which the field travels in the tagged-field section, under `tag`. */
  readonly taggedVersions?: string
  readonly tag?: number
  /** Value when absent (already typed: int64 defaults are bigint). Otherwise the type's zero. */
  readonly default?: DefaultValue
  /** Overrides the message's flexible versions for this field (only the header's clientId). */
  readonly flexibleVersions?: string
  /** Struct fields, for struct and struct-array types. */
  readonly fields?: readonly FieldSchema[]
}

/**
 * A request, response or data record. `T` is the TS interface of its decoded value; it exists only
 * at the type level.
 */
export interface MessageSchema<T = unknown> {
  readonly name: string
  readonly validVersions: string
  readonly flexibleVersions: string
  readonly fields: readonly FieldSchema[]
  /** Never set: carries T for inference. */
  readonly __type?: T
}

export interface VersionRange {
  readonly min: number
  readonly max: number
}

export interface ApiSchema<Req = unknown, Res = unknown> {
  readonly key: number
  /** Kafka's API name without Request/Response: 'Produce', 'ApiVersions'. */
  readonly name: string
  readonly validVersions: VersionRange
  /** First flexible version (request header v2, response header v1), Infinity if none. */
  readonly flexibleMin: number
  /** Kafka marks the latest version as still in development: do not advertise it. */
  readonly latestVersionUnstable: boolean
  readonly request: MessageSchema<Req>
  readonly response: MessageSchema<Res>
}

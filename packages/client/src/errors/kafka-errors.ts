// One error class per Kafka error code, built from @brook/protocol's generated code table (so a
// code added there gets its class here with no hand edit). Each class carries the code, Kafka's
// name and the retriable flag; `instanceof KafkaErrors.NOT_LEADER_OR_FOLLOWER` and
// `err.code === ErrorCode.NOT_LEADER_OR_FOLLOWER` both work.
import { ErrorCode, errorName, isRetriable } from '@brook/protocol'
import { adviceFor } from './advice.js'

/** Base class of every error a broker reported with an error code. */
export class KafkaError extends Error {
  readonly code: number
  readonly kafkaName: string
  readonly retriable: boolean
  constructor (code: number, detail?: string | null) {
    const name = errorName(code)
    const parts = [`${name} (${code})`]
    if (detail !== undefined && detail !== null && detail !== '') parts.push(detail.replace(/\.$/, ''))
    parts.push(adviceFor(code, isRetriable(code)))
    super(parts.join(': '))
    this.name = 'KafkaError'
    this.code = code
    this.kafkaName = name
    this.retriable = isRetriable(code)
  }
}

export type ErrorName = Exclude<keyof typeof ErrorCode, 'NONE'>

/** The class of one error code: `new KafkaErrors.X(detail)`, with a static `code`. */
export interface KafkaErrorClass<C extends number = number> {
  new (detail?: string | null): KafkaError & { readonly code: C }
  readonly code: C
}

export type KafkaErrorClasses = { readonly [K in ErrorName]: KafkaErrorClass<(typeof ErrorCode)[K]> }

function pascal (name: string): string {
  return name.toLowerCase().split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') + 'Error'
}

function makeClass (name: string, code: number): KafkaErrorClass {
  const cls = class extends KafkaError {
    static readonly code = code
    constructor (detail?: string | null) {
      super(code, detail)
      this.name = pascal(name)
    }
  }
  Object.defineProperty(cls, 'name', { value: pascal(name) })
  return cls
}

const byCode = new Map<number, KafkaErrorClass>()
const classes: Record<string, KafkaErrorClass> = {}
for (const [name, code] of Object.entries(ErrorCode)) {
  if (code === ErrorCode.NONE) continue
  const cls = makeClass(name, code)
  classes[name] = cls
  byCode.set(code, cls)
}

export const KafkaErrors = classes as unknown as KafkaErrorClasses

/** The typed error for a code a broker returned (a plain KafkaError for a code the table does not know). */
export function kafkaError (code: number, detail?: string | null): KafkaError {
  const cls = byCode.get(code)
  return cls === undefined ? new KafkaError(code, detail) : new cls(detail)
}

/** Throws the typed error unless `code` is NONE. */
export function throwIfError (code: number | undefined, detail?: string | null): void {
  if (code !== undefined && code !== ErrorCode.NONE) throw kafkaError(code, detail)
}

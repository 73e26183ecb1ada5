// Config definitions are data: Kafka's name, type, printed default and validation, as in Kafka's
// ConfigDef. Values travel as strings (that is what properties files, CreateTopics and
// DescribeConfigs carry) and are parsed to typed values on read.

export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password'
export type ConfigValue = boolean | string | number | string[] | null

export interface ConfigDef {
  readonly name: string
  readonly type: ConfigType
  /** The default exactly as Kafka prints it (DescribeConfigs); null when there is none. */
  readonly default: string | null
  /** Returns a reason when a parsed value is not allowed. */
  readonly validate?: (value: ConfigValue) => string | undefined
}

/** A config value that does not parse or validate; maps to INVALID_CONFIG at the API edge. */
export class ConfigError extends Error {
  readonly configName: string
  constructor (configName: string, message: string) {
    super(message)
    this.name = 'ConfigError'
    this.configName = configName
  }
}

// Java's Long.MAX_VALUE: the printed form of "unlimited" in several defaults.
export const LONG_MAX = '9223372036854775807'
export const INT_MAX = '2147483647'

const INT_RANGE = { int: [-(2 ** 31), 2 ** 31 - 1], short: [-(2 ** 15), 2 ** 15 - 1] } as const
const LONG_MIN_BIG = -(2n ** 63n)
const LONG_MAX_BIG = 2n ** 63n - 1n

/** Parses a raw string by the definition's type (Kafka's ConfigDef.parseType) and validates it. */
export function parseConfigValue (def: ConfigDef, raw: string | null): ConfigValue {
  if (raw === null) return null
  const value = parseByType(def, raw)
  const reason = def.validate?.(value)
  if (reason !== undefined) throw new ConfigError(def.name, `Invalid value ${raw} for configuration ${def.name}: ${reason}`)
  return value
}

function parseByType (def: ConfigDef, raw: string): ConfigValue {
  const text = raw.trim()
  const bad = (what: string): ConfigError =>
    new ConfigError(def.name, `Invalid value ${raw} for configuration ${def.name}: Expected value to be ${what}`)
  switch (def.type) {
    case 'boolean': {
      const lower = text.toLowerCase()
      if (lower === 'true') return true
      if (lower === 'false') return false
      throw bad('either true or false')
    }
    case 'int':
    case 'short': {
      if (!/^[-+]?\d+$/.test(text)) throw bad(`a 32-bit integer`)
      const n = Number(text)
      const [lo, hi] = INT_RANGE[def.type]
      if (n < lo || n > hi) throw bad(def.type === 'int' ? 'a 32-bit integer' : 'a 16-bit integer')
      return n
    }
    case 'long': {
      if (!/^[-+]?\d+$/.test(text)) throw bad('a 64-bit integer')
      const big = BigInt(text)
      if (big < LONG_MIN_BIG || big > LONG_MAX_BIG) throw bad('a 64-bit integer')
      // Beyond 2^53 the value only ever means "unlimited" (Long.MAX_VALUE defaults).
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER
      if (big < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER
      return Number(big)
    }
    case 'double': {
      const n = Number(text)
      if (text === '' || !Number.isFinite(n)) throw bad('a number')
      return n
    }
    case 'list':
      return text === '' ? [] : text.split(',').map((s) => s.trim())
    case 'string':
    case 'class':
    case 'password':
      return text
  }
}

// Validators, named after Kafka's ConfigDef.Range / ValidString / ValidList.

export function atLeast (min: number): (value: ConfigValue) => string | undefined {
  return (value) => typeof value === 'number' && value < min ? `Value must be at least ${min}` : undefined
}

export function between (min: number, max: number): (value: ConfigValue) => string | undefined {
  return (value) => typeof value === 'number' && (value < min || value > max)
    ? `Value must be between ${min} and ${max}`
    : undefined
}

export function oneOf (...allowed: string[]): (value: ConfigValue) => string | undefined {
  return (value) => typeof value === 'string' && !allowed.includes(value)
    ? `String must be one of: ${allowed.join(', ')}`
    : undefined
}

/** As oneOf, comparing without case (Kafka's CaseInsensitiveValidString). */
export function oneOfIgnoringCase (...allowed: string[]): (value: ConfigValue) => string | undefined {
  return (value) => typeof value === 'string' && !allowed.includes(value.toLowerCase())
    ? `String must be one of (case insensitive): ${allowed.join(', ')}`
    : undefined
}

export function listOf (...allowed: string[]): (value: ConfigValue) => string | undefined {
  return (value) => {
    if (!Array.isArray(value)) return undefined
    const wrong = value.find((v) => !allowed.includes(v))
    return wrong === undefined ? undefined : `String must be one of: ${allowed.join(', ')}`
  }
}

/** Index definitions by name; duplicate names are a programming error. */
export function indexDefs (defs: readonly ConfigDef[]): ReadonlyMap<string, ConfigDef> {
  const map = new Map<string, ConfigDef>()
  for (const def of defs) {
    if (map.has(def.name)) throw new Error(`BROOK_DUPLICATE_CONFIG: ${def.name}`)
    map.set(def.name, def)
  }
  return map
}

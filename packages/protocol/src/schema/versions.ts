// Kafka version specs ('3+', '0-4', '2', 'none') as numeric ranges; an empty range has min > max.
import type { VersionRange } from './types.js'

const NONE: VersionRange = { min: 1, max: 0 }
const cache = new Map<string, VersionRange>()

export function parseVersions (spec: string | undefined): VersionRange {
  if (spec === undefined || spec === 'none') return NONE
  let range = cache.get(spec)
  if (range !== undefined) return range
  const m = /^(\d+)(?:(\+)|-(\d+))?$/.exec(spec)
  if (m === null) throw new Error(`bad version spec ${JSON.stringify(spec)}`)
  const min = Number(m[1])
  const max = m[2] === '+' ? Infinity : m[3] !== undefined ? Number(m[3]) : min
  range = { min, max }
  cache.set(spec, range)
  return range
}

export function inVersions (spec: string | undefined, version: number): boolean {
  const r = parseVersions(spec)
  return version >= r.min && version <= r.max
}

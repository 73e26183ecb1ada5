// Regular expressions clients send for the broker to evaluate: KIP-848 topic subscriptions
// (SubscribedTopicRegex) and ListTransactions' transactional id pattern (KIP-1152). Kafka
// compiles both with RE2/J; Brook uses re2js, a port of the same engine, so a pattern means what
// it means on Kafka (RE2 syntax: no backreferences or lookaround, (?P<name>...), \A, \z, inline
// flags, POSIX classes) and matching time stays linear in the name, whatever the pattern.
// A name matches when the whole of it matches (RE2/J `matches()`), as in Kafka.
import { RE2JS, RE2JSException } from 're2js'

/** Longer patterns are refused before compiling: no topic or transactional id regex needs them. */
export const MAX_PATTERN_LENGTH = 1000

export class InvalidRegexError extends Error {
  constructor (pattern: string, reason: string) {
    super(`Invalid regular expression ${JSON.stringify(pattern.length > 100 ? pattern.slice(0, 100) + '...' : pattern)}: ${reason}`)
    this.name = 'InvalidRegexError'
  }
}

/** A compiled pattern; `test` is true when the whole name matches. */
export interface NameMatcher {
  readonly source: string
  test: (name: string) => boolean
}

const cache = new Map<string, NameMatcher>()

/** Compiles an RE2 pattern into a whole-name matcher; throws InvalidRegexError. */
export function compileWholeNameRegex (pattern: string): NameMatcher {
  const cached = cache.get(pattern)
  if (cached !== undefined) return cached
  if (pattern.length > MAX_PATTERN_LENGTH) throw new InvalidRegexError(pattern, `longer than ${MAX_PATTERN_LENGTH} characters`)
  let compiled: RE2JS
  try {
    compiled = RE2JS.compile(pattern)
  } catch (err) {
    if (!(err instanceof RE2JSException)) throw err
    throw new InvalidRegexError(pattern, err.message)
  }
  const matcher: NameMatcher = { source: pattern, test: (name) => compiled.matches(name) }
  if (cache.size > 1000) cache.clear()
  cache.set(pattern, matcher)
  return matcher
}

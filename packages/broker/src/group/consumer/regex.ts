// Topic regex subscriptions (KIP-848: SubscribedTopicRegex), evaluated on the broker. Kafka
// compiles them with RE2/J, whose matching time is linear in the input. JavaScript's RegExp
// backtracks, so Brook accepts the RE2 subset that cannot blow up and refuses the rest with
// INVALID_REGULAR_EXPRESSION:
//
//  - refused because RE2 refuses them too: backreferences (\1, \k<name>), lookaround
//    ((?=, (?!, (?<=, (?<!), possessive and atomic forms;
//  - refused as a guard against catastrophic backtracking: a quantifier applied to a group that
//    itself contains a quantifier or an alternation (`(a+)+`, `(a|ab)*`); patterns longer than
//    MAX_PATTERN_LENGTH;
//  - translated: RE2's (?P<name>...) to (?<name>...), \A and \z to ^ and $.
// A topic matches when the whole name matches (RE2/J `matches()`), as in Kafka.

export const MAX_PATTERN_LENGTH = 1000

export class InvalidRegexError extends Error {
  constructor (pattern: string, reason: string) {
    super(`Invalid regular expression ${JSON.stringify(pattern.length > 100 ? pattern.slice(0, 100) + '...' : pattern)}: ${reason}`)
    this.name = 'InvalidRegexError'
  }
}

interface Frame {
  /** The group contains a quantifier or an alternation: quantifying it could backtrack exponentially. */
  risky: boolean
}

const cache = new Map<string, RegExp>()

/** Compiles a subscription regex into a whole-name matcher; throws InvalidRegexError. */
export function compileTopicRegex (pattern: string): RegExp {
  const cached = cache.get(pattern)
  if (cached !== undefined) return cached
  if (pattern.length > MAX_PATTERN_LENGTH) throw new InvalidRegexError(pattern, `longer than ${MAX_PATTERN_LENGTH} characters`)
  let out = ''
  const stack: Frame[] = [{ risky: false }]
  /** Whether the atom just closed was a risky group (a quantifier right after it is refused). */
  let lastAtomRiskyGroup = false
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    const top = stack[stack.length - 1] as Frame
    if (c === '\\') {
      const next = pattern[i + 1]
      if (next === undefined) throw new InvalidRegexError(pattern, 'trailing backslash')
      if (!inClass && /[1-9]/.test(next)) throw new InvalidRegexError(pattern, 'backreferences are not supported')
      if (!inClass && next === 'k') throw new InvalidRegexError(pattern, 'backreferences are not supported')
      if (!inClass && next === 'A') out += '^'
      else if (!inClass && next === 'z') out += '$'
      else out += c + next
      i++
      lastAtomRiskyGroup = false
      continue
    }
    if (inClass) {
      if (c === ']') inClass = false
      out += c
      continue
    }
    if (c === '[') {
      inClass = true
      out += c
      lastAtomRiskyGroup = false
      continue
    }
    if (c === '(') {
      if (pattern.startsWith('(?=', i) || pattern.startsWith('(?!', i) || pattern.startsWith('(?<=', i) || pattern.startsWith('(?<!', i)) {
        throw new InvalidRegexError(pattern, 'lookaround is not supported')
      }
      if (pattern.startsWith('(?>', i)) throw new InvalidRegexError(pattern, 'atomic groups are not supported')
      if (pattern.startsWith('(?P<', i) || pattern.startsWith('(?<', i)) {
        const end = pattern.indexOf('>', i)
        if (end < 0) throw new InvalidRegexError(pattern, 'unterminated group name')
        out += '(?<' + pattern.slice(pattern.indexOf('<', i) + 1, end + 1)
        i = end
      } else if (pattern.startsWith('(?:', i)) {
        out += '(?:'
        i += 2
      } else if (pattern[i + 1] === '?') {
        throw new InvalidRegexError(pattern, 'inline flags are not supported')
      } else {
        out += c
      }
      stack.push({ risky: false })
      lastAtomRiskyGroup = false
      continue
    }
    if (c === ')') {
      if (stack.length === 1) throw new InvalidRegexError(pattern, 'unmatched )')
      const closed = stack.pop() as Frame
      out += c
      lastAtomRiskyGroup = closed.risky
      // What was risky inside stays risky for the enclosing group.
      if (closed.risky) (stack[stack.length - 1] as Frame).risky = true
      continue
    }
    if (c === '|') {
      top.risky = true
      out += c
      lastAtomRiskyGroup = false
      continue
    }
    if (c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)))) {
      if (lastAtomRiskyGroup) throw new InvalidRegexError(pattern, 'a quantified group containing a quantifier or alternation is refused (catastrophic backtracking)')
      const next = pattern[i + (c === '{' ? pattern.indexOf('}', i) - i + 1 : 1)]
      if (next === '+') throw new InvalidRegexError(pattern, 'possessive quantifiers are not supported')
      top.risky = true
      if (c === '{') {
        const end = pattern.indexOf('}', i)
        out += pattern.slice(i, end + 1)
        i = end
      } else {
        out += c
      }
      lastAtomRiskyGroup = false
      continue
    }
    out += c
    lastAtomRiskyGroup = false
  }
  if (inClass) throw new InvalidRegexError(pattern, 'unterminated character class')
  if (stack.length !== 1) throw new InvalidRegexError(pattern, 'unmatched (')
  let compiled: RegExp
  try {
    compiled = new RegExp(`^(?:${out})$`)
  } catch (err) {
    throw new InvalidRegexError(pattern, err instanceof Error ? err.message : String(err))
  }
  if (cache.size > 1000) cache.clear()
  cache.set(pattern, compiled)
  return compiled
}

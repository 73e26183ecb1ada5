// RabbitMQ's topic-exchange patterns: routing keys and patterns are words separated by '.';
// '*' stands for exactly one word, '#' for zero or more words. Matched word by word (no regex),
// memoised per (pattern position, key position) so that many '#' stay linear in practice.

/** Why a pattern is refused, or null when it is valid. */
export function invalidPatternReason (pattern: string): string | null {
  if (pattern === '') return 'the pattern is empty'
  for (const word of pattern.split('.')) {
    if (word.length > 1 && (word.includes('*') || word.includes('#'))) return `'${word}': * and # must be whole words (e.g. order.*.eu, order.#)`
  }
  return null
}

export function matchesPattern (pattern: readonly string[], key: readonly string[]): boolean {
  const failed = new Set<number>()
  const width = key.length + 1
  const match = (p: number, k: number): boolean => {
    if (p === pattern.length) return k === key.length
    const memo = p * width + k
    if (failed.has(memo)) return false
    const word = pattern[p]
    let ok: boolean
    if (word === '#') {
      ok = false
      for (let skip = k; skip <= key.length && !ok; skip++) ok = match(p + 1, skip)
    } else {
      ok = k < key.length && (word === '*' || word === key[k]) && match(p + 1, k + 1)
    }
    if (!ok) failed.add(memo)
    return ok
  }
  return match(0, 0)
}

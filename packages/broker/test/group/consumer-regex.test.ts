// Client-supplied regexes (KIP-848 topic subscriptions, KIP-1152 transactional id patterns) are
// RE2 patterns, as on Kafka: RE2 syntax accepted, what RE2 refuses refused, whole-name matching,
// and matching time linear even for patterns that make a backtracking engine explode.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidRegexError, compileWholeNameRegex } from '../../src/regex/whole-name.js'

test('topic regexes match whole names with RE2 syntax', { timeout: 10_000 }, () => {
  assert.ok(compileWholeNameRegex('orders-.*').test('orders-eu'))
  assert.ok(!compileWholeNameRegex('orders').test('orders-eu'), 'whole-name match')
  assert.ok(compileWholeNameRegex('(?P<kind>a|b)-[0-9]+').test('b-12'))
  assert.ok(compileWholeNameRegex('\\Afoo\\z').test('foo'))
  assert.ok(compileWholeNameRegex('x{2,3}').test('xxx'))
  assert.ok(compileWholeNameRegex('(?:ab)+').test('abab'))
  assert.ok(compileWholeNameRegex('(?i)ORDERS-[[:digit:]]+').test('orders-42'), 'inline flags and POSIX classes, as RE2')
  assert.ok(!compileWholeNameRegex('[[:digit:]]+').test('4a'))
})

test('what RE2 refuses is refused: unbalanced, backreferences, lookaround, possessive, too long', { timeout: 10_000 }, () => {
  for (const bad of ['(', 'a)', '[a-', '\\', '(a)\\1', '(?=a)', '(?<!a)b', 'a++', '(?<name', 'x'.repeat(2000)]) {
    assert.throws(() => compileWholeNameRegex(bad), InvalidRegexError, bad.slice(0, 20))
  }
})

test('patterns that backtrack exponentially in JavaScript run in linear time', { timeout: 10_000 }, () => {
  const name = 'x'.repeat(5_000)
  // With a backtracking engine each of these takes longer than this test's whole timeout.
  for (const pattern of ['(x+x+)+y', '(a|aa)*b', '((x*)x)*y', '(x+)+$']) {
    const matcher = compileWholeNameRegex(pattern)
    assert.equal(matcher.test(name), pattern === '(x+)+$', pattern)
  }
})

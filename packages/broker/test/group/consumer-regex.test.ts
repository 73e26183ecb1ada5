import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidRegexError, compileTopicRegex } from '../../src/group/consumer/regex.js'

test('topic regexes match whole names, RE2 syntax translated', { timeout: 10_000 }, () => {
  assert.ok(compileTopicRegex('orders-.*').test('orders-eu'))
  assert.ok(!compileTopicRegex('orders').test('orders-eu'), 'whole-name match')
  assert.ok(compileTopicRegex('(?P<kind>a|b)-[0-9]+').test('b-12'))
  assert.ok(compileTopicRegex('\\Afoo\\z').test('foo'))
  assert.ok(compileTopicRegex('x{2,3}').test('xxx'))
  assert.ok(compileTopicRegex('(?:ab)+').test('abab'))
})

test('invalid and catastrophic patterns are refused, never run', { timeout: 10_000 }, () => {
  for (const bad of ['(', 'a)', '[a-', '\\', '(a)\\1', '(?=a)', '(?<!a)b', '(a+)+$', '(a|aa)*', '((a*)b)*', 'a++', '(?i)abc', 'x'.repeat(2000)]) {
    assert.throws(() => compileTopicRegex(bad), InvalidRegexError, bad.slice(0, 20))
  }
  // The guard keeps a classic ReDoS pattern from ever reaching the engine.
  const started = Date.now()
  assert.throws(() => compileTopicRegex('(x+x+)+y'), InvalidRegexError)
  assert.ok(Date.now() - started < 100)
})

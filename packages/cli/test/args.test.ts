import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseStartArgs, UsageError } from '../src/args.js'

test('--config, repeatable --override (both spellings), --log-format and --log-level', () => {
  const options = parseStartArgs([
    '--config', 'server.properties',
    '--override', 'listeners=PLAINTEXT://127.0.0.1:0',
    '--override=log.dirs=/tmp/x',
    '--override', 'a.b= c=d ',
    '--log-format', 'json',
    '--log-level=debug'
  ], {})
  assert.deepEqual(options, {
    configFile: 'server.properties',
    overrides: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': '/tmp/x', 'a.b': 'c=d' },
    logFormat: 'json',
    logLevel: 'debug'
  })
})

test('environment defaults and usage errors', () => {
  assert.equal(parseStartArgs([], { BROOK_LOG_FORMAT: 'json' }).logFormat, 'json')
  assert.equal(parseStartArgs([], { BROOK_LOG_LEVEL: 'warn' }).logLevel, 'warn')
  assert.equal(parseStartArgs([], {}).logFormat, 'pretty')
  for (const bad of [['--override', 'novalue'], ['--config'], ['--log-format', 'xml'], ['--log-level', 'loud'], ['--bogus']]) {
    assert.throws(() => parseStartArgs(bad, {}), UsageError, bad.join(' '))
  }
})

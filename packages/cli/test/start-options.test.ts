import { test } from 'node:test'
import assert from 'node:assert/strict'
import { addOverride, logFormatOf, logLevelOf, startOptionsFrom } from '../src/start/options.js'
import { UsageError } from '../src/errors.js'

test('repeatable --override, --log-format and --log-level values', { timeout: 5_000 }, () => {
  let overrides = addOverride('listeners=PLAINTEXT://127.0.0.1:0')
  overrides = addOverride('log.dirs=/tmp/x', overrides)
  overrides = addOverride('a.b= c=d ', overrides)
  const options = startOptionsFrom({ config: 'server.properties', override: overrides, logFormat: logFormatOf('json'), logLevel: logLevelOf('debug') }, {})
  assert.deepEqual(options, {
    configFile: 'server.properties',
    overrides: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': '/tmp/x', 'a.b': 'c=d' },
    logFormat: 'json',
    logLevel: 'debug'
  })
})

test('environment defaults and usage errors', { timeout: 5_000 }, () => {
  assert.equal(startOptionsFrom({}, { BROOK_LOG_FORMAT: 'json' }).logFormat, 'json')
  assert.equal(startOptionsFrom({}, { BROOK_LOG_LEVEL: 'warn' }).logLevel, 'warn')
  assert.equal(startOptionsFrom({ logLevel: 'error' }, { BROOK_LOG_LEVEL: 'warn' }).logLevel, 'error')
  assert.equal(startOptionsFrom({}, {}).logFormat, 'pretty')
  assert.throws(() => startOptionsFrom({}, { BROOK_LOG_LEVEL: 'loud' }), UsageError)
  assert.throws(() => addOverride('novalue'), UsageError)
  assert.throws(() => logFormatOf('xml'), UsageError)
  assert.throws(() => logLevelOf('loud'), UsageError)
})

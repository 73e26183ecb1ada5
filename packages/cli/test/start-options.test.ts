import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isLogLevel } from '@brook/broker'
import { addOverride, logFormatOf, startOptionsFrom } from '../src/start/options.js'
import { UsageError } from '../src/errors.js'

test('repeatable --override, --log-format and --log-level values', { timeout: 5_000 }, () => {
  let overrides = addOverride('listeners=PLAINTEXT://127.0.0.1:0')
  overrides = addOverride('log.dirs=/tmp/x', overrides)
  overrides = addOverride('a.b= c=d ', overrides)
  const options = startOptionsFrom({ config: 'server.properties', override: overrides, logFormat: logFormatOf('json'), logLevel: 'debug' }, {}, isLogLevel)
  assert.deepEqual(options, {
    configFile: 'server.properties',
    overrides: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': '/tmp/x', 'a.b': 'c=d' },
    logFormat: 'json',
    logLevel: 'debug'
  })
})

test('environment defaults and usage errors', { timeout: 5_000 }, () => {
  assert.equal(startOptionsFrom({}, { BROOK_LOG_FORMAT: 'json' }, isLogLevel).logFormat, 'json')
  assert.equal(startOptionsFrom({}, { BROOK_LOG_LEVEL: 'warn' }, isLogLevel).logLevel, 'warn')
  assert.equal(startOptionsFrom({ logLevel: 'error' }, { BROOK_LOG_LEVEL: 'warn' }, isLogLevel).logLevel, 'error')
  assert.equal(startOptionsFrom({}, {}, isLogLevel).logFormat, 'pretty')
  assert.throws(() => startOptionsFrom({}, { BROOK_LOG_LEVEL: 'loud' }, isLogLevel), UsageError)
  assert.throws(() => addOverride('novalue'), UsageError)
  assert.throws(() => logFormatOf('xml'), UsageError)
  assert.throws(() => startOptionsFrom({ logLevel: 'loud' }, {}, isLogLevel), UsageError)
})

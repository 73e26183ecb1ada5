import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { probeApiVersions, startBrokerProcess, tempDir } from '@brook/testkit'

test('startBrokerProcess reads the bound port from the log; stop() shuts down cleanly and removes its data dir', { timeout: 30_000 }, async () => {
  const broker = await startBrokerProcess()
  try {
    assert.equal(broker.host, '127.0.0.1')
    assert.ok(broker.port > 0)
    assert.equal(broker.bootstrap, `127.0.0.1:${broker.port}`)
    const versions = await probeApiVersions(broker.host, broker.port)
    assert.equal(versions.errorCode, 0)
    assert.ok(versions.apis.some((api) => api.apiKey === 18), 'ApiVersions lists itself')
  } finally {
    assert.equal(await broker.stop(), 0, `graceful stop exits 0\n${broker.logs()}`)
  }
  assert.equal(existsSync(broker.dataDir), false)
})

test('kill9() ends the broker with SIGKILL and keeps a caller-owned data dir', { timeout: 30_000 }, async () => {
  const data = await tempDir()
  try {
    const broker = await startBrokerProcess({ dataDir: data.path })
    assert.equal(await broker.kill9(), 137)
    assert.equal(await broker.exited, 137)
    assert.equal(existsSync(data.path), true)
  } finally {
    await data.cleanup()
  }
})

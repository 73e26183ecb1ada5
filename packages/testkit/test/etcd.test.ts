import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { etcdBinary, startEtcd } from '../src/index.js'

describe('etcd launcher', () => {
  it('starts a healthy etcd on a free loopback port, restarts it on the same data, and stops it', { timeout: 30_000 }, async () => {
    const etcd = await startEtcd()
    try {
      assert.match(etcd.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/)
      const put = await fetch(`${etcd.endpoint}/v3/kv/put`, {
        method: 'POST', body: JSON.stringify({ key: Buffer.from('k').toString('base64'), value: Buffer.from('v').toString('base64') })
      })
      assert.equal(put.status, 200)
      await etcd.kill()
      await assert.rejects(fetch(`${etcd.endpoint}/health`))
      await etcd.start()
      const range = await fetch(`${etcd.endpoint}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('k').toString('base64') }) })
      const body = await range.json() as { kvs?: Array<{ value: string }> }
      assert.equal(Buffer.from(body.kvs?.[0]?.value ?? '', 'base64').toString(), 'v', 'data survives the restart')
    } finally {
      await etcd.close()
    }
    await assert.rejects(fetch(`${etcd.endpoint}/health`))
  })

  it('says what to install when the binary is missing', { timeout: 5000 }, async () => {
    const saved = process.env.BROOK_ETCD_BIN
    process.env.BROOK_ETCD_BIN = '/nonexistent/etcd'
    try {
      await assert.rejects(etcdBinary(), /etcd not found at \/nonexistent\/etcd: install Debian's etcd-server/)
      await assert.rejects(startEtcd(), /etcd-server/)
    } finally {
      if (saved === undefined) delete process.env.BROOK_ETCD_BIN
      else process.env.BROOK_ETCD_BIN = saved
    }
  })
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BufferPool, Lease } from '../src/buffer-pool.js'

test('a lease lends views of pooled buffers and gives them back for the next request', () => {
  const pool = new BufferPool(1024 * 1024)
  const first = new Lease(pool)
  const a = first.allocate(100 * 1024)
  assert.equal(a.length, 100 * 1024)
  assert.equal(a.buffer.byteLength, 128 * 1024, 'rounded up to a power of two')
  assert.equal(first.allocate(1000).buffer === a.buffer, false)
  assert.equal(first.borrowed, 1, 'small allocations are not pooled')
  first.release()
  assert.equal(pool.idleBytes, 128 * 1024)
  const second = new Lease(pool)
  assert.equal(second.allocate(65 * 1024).buffer, a.buffer, 'the same class is reused')
  assert.equal(pool.idleBytes, 0)
  // The pool keeps at most maxIdleBytes.
  const big = new Lease(pool)
  for (let i = 0; i < 3; i++) big.allocate(512 * 1024)
  big.release()
  assert.equal(pool.idleBytes, 1024 * 1024)
})


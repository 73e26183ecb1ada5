import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ensurePromiseWithResolvers } from '@brook/testkit'

test('Promise.withResolvers exists after ensurePromiseWithResolvers and settles its promise', async () => {
  ensurePromiseWithResolvers()
  const ctor = Promise as unknown as { withResolvers: <T>() => { promise: Promise<T>, resolve: (v: T) => void, reject: (e: unknown) => void } }
  const ok = ctor.withResolvers<number>()
  ok.resolve(42)
  assert.equal(await ok.promise, 42)
  const bad = ctor.withResolvers<number>()
  bad.reject(new Error('no'))
  await assert.rejects(bad.promise, /no/)
})

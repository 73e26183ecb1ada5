import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from '@brook/testkit'

test('tempDir makes a fresh directory and cleanup removes it with its contents', async () => {
  const a = await tempDir()
  const b = await tempDir()
  assert.notEqual(a.path, b.path)
  await writeFile(join(a.path, 'file'), 'x')
  await a.cleanup()
  await a.cleanup()
  assert.equal(existsSync(a.path), false)
  assert.equal(existsSync(b.path), true)
  await b.cleanup()
})

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NodeFileSystem } from '../../src/fs/node-fs.js'
import { conformance } from './conformance.js'

conformance('node', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-fs-'))
  return { fs: new NodeFileSystem(), dir, cleanup: async () => { await rm(dir, { recursive: true, force: true }) } }
})

// Temporary directories for tests: each broker or client run gets its own, removed afterwards.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TempDir {
  path: string
  /** Removes the directory and everything in it; safe to call more than once. */
  cleanup: () => Promise<void>
}

export async function tempDir (prefix = 'brook-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return {
    path,
    cleanup: async () => { await rm(path, { recursive: true, force: true }) }
  }
}

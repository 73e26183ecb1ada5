// Starts an in-process broker on 127.0.0.1:0 with its data in a fresh temporary directory.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RunningBroker, startBroker } from '../../src/broker.js'

export interface TestBroker extends RunningBroker {
  dataDir: string
  /** close() and remove the data directory. */
  destroy: () => Promise<void>
}

export async function startTestBroker (config: Record<string, string> = {}, dataDir?: string): Promise<TestBroker> {
  const dir = dataDir ?? await mkdtemp(join(tmpdir(), 'brook-broker-test-'))
  const broker = await startBroker({ config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, ...config } })
  return {
    ...broker,
    dataDir: dir,
    destroy: async () => {
      await broker.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

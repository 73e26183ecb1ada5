// In-process brokers for test suites: @brook/broker's startBroker, re-exported, and
// startTestBroker, which adds a free port on 127.0.0.1 and a temporary data dir removed on close.
import { startBroker, type RunningBroker } from '@brook/broker'
import type { Logger } from '@brook/common'
import { tempDir } from './temp-dir.js'

export { startBroker, type RunningBroker, type StartBrokerOptions } from '@brook/broker'

export interface TestBroker extends RunningBroker {
  dataDir: string
}

export async function startTestBroker (config: Record<string, string> = {}, options: { logger?: Logger } = {}): Promise<TestBroker> {
  const dir = await tempDir('brook-data-')
  let broker: RunningBroker
  try {
    broker = await startBroker({
      config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir.path, ...config },
      logger: options.logger
    })
  } catch (err) {
    await dir.cleanup()
    throw err
  }
  return {
    ...broker,
    dataDir: dir.path,
    close: async () => {
      try {
        await broker.close()
      } finally {
        await dir.cleanup()
      }
    }
  }
}

// In-process brokers for test suites: @brook/broker's startBroker on a free port and a fresh
// temporary data dir, closed and removed together.
import { tempDir } from './temp-dir.js'

export interface InProcessBroker {
  host: string
  port: number
  bootstrap: string
  config: unknown
  close: () => Promise<void>
}

export type StartBroker = (options?: { config?: Record<string, string> }) => Promise<InProcessBroker>

/**
 * @brook/broker's startBroker. Loaded lazily so that this package builds while the broker's
 * entry point is still being written; a missing export fails the calling test, not the build.
 */
export async function startBroker (options: { config?: Record<string, string> } = {}): Promise<InProcessBroker> {
  const broker: { startBroker?: StartBroker } = await import('@brook/broker')
  if (typeof broker.startBroker !== 'function') throw new Error('@brook/broker does not export startBroker yet')
  return await broker.startBroker(options)
}

export interface TestBroker extends InProcessBroker {
  dataDir: string
}

/** startBroker with listeners on 127.0.0.1:0 and log.dirs in a temporary directory. */
export async function startTestBroker (config: Record<string, string> = {}): Promise<TestBroker> {
  const dir = await tempDir('brook-data-')
  let broker: InProcessBroker
  try {
    broker = await startBroker({
      config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir.path, ...config }
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

// Runs a broker until SIGINT or SIGTERM, then shuts down cleanly (stop accepting, finish in-flight
// requests, flush and close logs) and returns 0. A second signal during shutdown exits at once
// with status 1.
import type { Logger } from '@brook/common'
import { ConfigError, startBroker } from '@brook/broker'
import { httpSettingsFrom, startHttpServer } from '@brook/http'
import type { StartOptions } from './options.js'

export async function runBroker (options: StartOptions): Promise<number> {
  // Listen for signals before starting, so that one arriving during startup is not lost.
  let signalled: (signal: NodeJS.Signals) => void = () => {}
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => { signalled = resolve })
  let signals = 0
  let logger: Logger | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++
    if (signals > 1) {
      if (logger !== undefined) logger.warn({ signal }, 'second signal during shutdown: exiting now')
      else console.error(`brook: second ${signal} during startup: exiting now`)
      process.exit(1)
    }
    signalled(signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  try {
    let broker
    try {
      broker = await startBroker({
        ...(options.configFile !== null ? { configFile: options.configFile } : {}),
        config: options.overrides,
        logging: { format: options.logFormat, level: options.logLevel }
      })
    } catch (err) {
      console.error(`brook: the broker failed to start: ${err instanceof Error ? err.message : String(err)}`)
      if (!(err instanceof ConfigError)) console.error(err)
      return 1
    }
    logger = broker.logger
    // http.listeners set: the HTTP API (REST proxy, health, /metrics) runs next to the broker.
    const httpListeners = broker.config.list('http.listeners') ?? []
    let http
    try {
      http = httpListeners.length === 0 ? null : await startHttpServer({ broker, ...httpSettingsFrom((name) => broker.config.raw(name), ''), listeners: httpListeners, logger })
    } catch (err) {
      console.error(`brook: the HTTP API failed to start: ${err instanceof Error ? err.message : String(err)}`)
      await broker.close()
      return 1
    }
    const signal = await stopRequested
    logger.info({ signal }, 'shutting down')
    await http?.close()
    await broker.close()
    logger.info('stopped')
    return 0
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

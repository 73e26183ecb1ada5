// The `brook` command. `brook start` loads Kafka broker settings (properties file, then
// --override), starts the broker and runs until SIGINT or SIGTERM, then shuts down cleanly
// (stop accepting, finish in-flight requests, flush and close logs) and exits 0.
// A second signal during shutdown exits at once with status 1.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { startBroker } from '@brook/broker'
import { parseProperties } from '@brook/broker/config/properties'
import { createLogger } from '@brook/broker/logger'
import { parseStartArgs, USAGE, UsageError } from './args.js'

export async function main (args: string[]): Promise<number> {
  const [command, ...rest] = args
  switch (command) {
    case 'start':
      if (rest.includes('-h') || rest.includes('--help')) return help()
      return await start(rest)
    case 'help':
    case '-h':
    case '--help':
      return help()
    case 'version':
    case '--version':
      console.log(version())
      return 0
    default:
      console.error(command === undefined ? USAGE : `brook: unknown command ${command}\n\n${USAGE}`)
      return 2
  }
}

function help (): number {
  console.log(USAGE)
  return 0
}

function version (): string {
  const require = createRequire(import.meta.url)
  const pkg = require('../../package.json') as { version: string }
  return pkg.version
}

async function start (args: string[]): Promise<number> {
  let options
  try {
    options = parseStartArgs(args, process.env)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    console.error(`brook: ${err.message}\n\n${USAGE}`)
    return 2
  }
  const logger = createLogger({ format: options.logFormat, level: options.logLevel })
  let settings: Record<string, string> = {}
  if (options.configFile !== null) {
    try {
      settings = parseProperties(await readFile(options.configFile, 'utf8'))
    } catch (err) {
      logger.fatal({ err, file: options.configFile }, 'cannot read the config file')
      return 1
    }
  }
  Object.assign(settings, options.overrides)

  // Listen for signals before starting, so that one arriving during startup is not lost.
  let signalled: (signal: NodeJS.Signals) => void = () => {}
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => { signalled = resolve })
  let signals = 0
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++
    if (signals > 1) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now')
      process.exit(1)
    }
    signalled(signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  try {
    let broker
    try {
      broker = await startBroker({ config: settings, logger })
    } catch (err) {
      logger.fatal({ err }, 'broker failed to start')
      return 1
    }
    const signal = await stopRequested
    logger.info({ signal }, 'shutting down')
    await broker.close()
    logger.info('stopped')
    return 0
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

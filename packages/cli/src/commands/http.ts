// `brook http`: the HTTP API (REST Proxy v2/v3, /healthz, /readyz, /metrics) as its own process
// against any Kafka-compatible cluster, until SIGINT or SIGTERM. `brook console` (console.ts)
// runs the same server under another name and default address. The cluster comes from the
// connection flags every command takes; the server's own settings (http.listeners,
// consumer.instance.timeout.ms, http.authentication.*) from --config and --override, with the
// broker's property names.
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import type { Logger } from '@brook/common'
import { clientOptionsFrom, type ConnectionFlags } from '../connection/client-options.js'
import { parseProperties } from '../connection/properties.js'
import { UsageError } from '../errors.js'
import { addOverride, logFormatOf, startOptionsFrom } from '../start/options.js'
import { examples, withConnection } from './common.js'
import type { LogFormat } from '@brook/broker'

export interface HttpCommandShape {
  name: string
  description: string
  /** http.listeners when neither --listeners, --config nor --override sets it. */
  defaultListeners: string
  examples: string[]
}

interface HttpFlags extends ConnectionFlags {
  listeners?: string
  config?: string
  override?: Record<string, string>
  logFormat?: LogFormat
  logLevel?: string
}

export const HTTP_COMMAND: HttpCommandShape = {
  name: 'http',
  description: 'Serve the HTTP API (REST Proxy v2/v3, health, /metrics) for a Kafka-compatible cluster',
  defaultListeners: 'http://127.0.0.1:8082',
  examples: ['brook http -b 127.0.0.1:9092', 'brook http -b kafka1:9092,kafka2:9092 --listeners http://0.0.0.0:8082']
}

export function registerHttp (program: Command, setExitCode: (code: number) => void, shape: HttpCommandShape = HTTP_COMMAND): void {
  const cmd = withConnection(program.command(shape.name).description(shape.description))
    .option('--listeners <url,...>', `http.listeners: http://host:port addresses to serve (default ${shape.defaultListeners})`)
    .option('--config <file>', 'properties file with the HTTP server settings (http.listeners, consumer.instance.timeout.ms, ...)')
    .option('--override <key=value>', 'set an HTTP server setting; repeatable, wins over --config', addOverride)
    .option('--log-format <format>', 'pretty (default; also BROOK_LOG_FORMAT) or json', logFormatOf)
    .option('--log-level <level>', 'fatal, error, warn, info (default; also BROOK_LOG_LEVEL), debug, trace, silent')
    .action(async (flags: HttpFlags) => { setExitCode(await runHttp(flags, shape)) })
  examples(cmd, shape.examples)
}

async function runHttp (flags: HttpFlags, shape: HttpCommandShape): Promise<number> {
  // Loaded here: the broker and HTTP packages take a while to load and only this command needs them.
  const { createLogger, isLogLevel } = await import('@brook/broker')
  const { startHttpServer, httpSettingsFrom, HTTP_SETTING_NAMES } = await import('@brook/http')
  const log = startOptionsFrom(flags, process.env, isLogLevel)
  const settings = new Map<string, string>()
  if (flags.config !== undefined) {
    let text: string
    try {
      text = readFileSync(flags.config, 'utf8')
    } catch (err) {
      throw new UsageError(`cannot read ${flags.config}: ${(err as Error).message}`)
    }
    for (const [k, v] of parseProperties(text)) settings.set(k, v)
  }
  for (const [k, v] of Object.entries(flags.override ?? {})) settings.set(k, v)
  if (flags.listeners !== undefined) settings.set('http.listeners', flags.listeners)
  const unknown = [...settings.keys()].filter((k) => !HTTP_SETTING_NAMES.includes(k))
  if (unknown.length > 0) throw new UsageError(`unknown HTTP server setting(s): ${unknown.join(', ')} (known: ${HTTP_SETTING_NAMES.join(', ')})`)
  const client = clientOptionsFrom({ ...flags, clientId: flags.clientId ?? 'brook-http' }, process.env, (line) => process.stderr.write(line + '\n'))
  const { brokers, ...clientRest } = client
  const logger: Logger = createLogger({ format: log.logFormat, level: log.logLevel })

  let signalled: (signal: NodeJS.Signals) => void = () => {}
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => { signalled = resolve })
  let signals = 0
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now')
      process.exit(1)
    }
    signalled(signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    let server
    try {
      // Users authenticate with the mechanism the client config names, unless set.
      const setting = (name: string): string | undefined => settings.get(name) ?? (name === 'http.authentication.sasl.mechanism' ? client.sasl?.mechanism : undefined)
      server = await startHttpServer({ ...httpSettingsFrom(setting, shape.defaultListeners), bootstrap: brokers, client: clientRest, logger })
    } catch (err) {
      process.stderr.write(`brook: the HTTP API failed to start: ${err instanceof Error ? err.message : String(err)}\n`)
      return 1
    }
    logger.info({ bootstrap: brokers }, `serving the cluster at ${brokers.join(',')}`)
    const signal = await stopRequested
    logger.info({ signal }, 'shutting down')
    await server.close()
    logger.info('stopped')
    return 0
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

// Command-line parsing for `brook start`. Flags take their value as the next argument or after
// '=' (`--config file`, `--config=file`); --override may repeat.
import { type LogFormat, type LogLevel, isLogLevel } from '@brook/broker'

export interface StartOptions {
  configFile: string | null
  overrides: Record<string, string>
  logFormat: LogFormat
  logLevel: LogLevel
}

export class UsageError extends Error {}

export const USAGE = `Usage: brook start [options]

Starts a Kafka-compatible broker.

Options:
  --config <file>          Kafka broker properties file (server.properties)
  --override <key=value>   Set a broker config; repeatable, wins over --config
  --log-format <format>    pretty (default; also BROOK_LOG_FORMAT) or json
  --log-level <level>      fatal, error, warn, info (default; also BROOK_LOG_LEVEL), debug, trace, silent
  -h, --help               Show this help

Other commands:
  brook help               Show this help
  brook version            Print the version`

export function parseStartArgs (args: readonly string[], env: NodeJS.ProcessEnv): StartOptions {
  const options: StartOptions = {
    configFile: null,
    overrides: {},
    logFormat: env.BROOK_LOG_FORMAT === 'json' ? 'json' : 'pretty',
    logLevel: 'info'
  }
  const envLevel = env.BROOK_LOG_LEVEL
  if (envLevel !== undefined && envLevel !== '') {
    if (!isLogLevel(envLevel)) throw new UsageError(`BROOK_LOG_LEVEL: unknown log level ${envLevel}`)
    options.logLevel = envLevel
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg
    const value = (): string => {
      if (flag !== arg) return arg.slice(eq + 1)
      const next = args[++i]
      if (next === undefined) throw new UsageError(`${flag} needs a value`)
      return next
    }
    switch (flag) {
      case '--config':
        options.configFile = value()
        break
      case '--override': {
        const setting = value()
        const sep = setting.indexOf('=')
        if (sep <= 0) throw new UsageError(`--override expects key=value, got ${setting}`)
        options.overrides[setting.slice(0, sep).trim()] = setting.slice(sep + 1).trim()
        break
      }
      case '--log-format': {
        const format = value()
        if (format !== 'json' && format !== 'pretty') throw new UsageError(`--log-format must be pretty or json, got ${format}`)
        options.logFormat = format
        break
      }
      case '--log-level': {
        const level = value()
        if (!isLogLevel(level)) throw new UsageError(`--log-level: unknown level ${level}`)
        options.logLevel = level
        break
      }
      default:
        throw new UsageError(`unknown option ${arg}`)
    }
  }
  return options
}

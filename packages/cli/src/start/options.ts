// The options of `brook start` and their checks. Commander parses the flags (start/command.ts);
// these functions check each value and add the environment defaults, so a bad value is a usage
// error (exit 2) that names the flag. The broker's isLogLevel is passed in: the broker package is
// loaded only when `brook start` runs, so the other commands start fast.
import type { LogFormat, LogLevel } from '@brook/broker'
import { UsageError } from '../errors.js'

export interface StartOptions {
  configFile: string | null
  overrides: Record<string, string>
  logFormat: LogFormat
  logLevel: LogLevel
}

export type LevelCheck = (value: string) => value is LogLevel

/** `--override key=value`, repeatable: each call adds one setting to the ones before. */
export function addOverride (setting: string, previous: Record<string, string> = {}): Record<string, string> {
  const sep = setting.indexOf('=')
  if (sep <= 0) throw new UsageError(`--override expects key=value, got ${setting}`)
  return { ...previous, [setting.slice(0, sep).trim()]: setting.slice(sep + 1).trim() }
}

export function logFormatOf (format: string): LogFormat {
  if (format !== 'json' && format !== 'pretty') throw new UsageError(`--log-format must be pretty or json, got ${format}`)
  return format
}

/** Flags as commander hands them over, completed with BROOK_LOG_FORMAT and BROOK_LOG_LEVEL. */
export function startOptionsFrom (flags: { config?: string, override?: Record<string, string>, logFormat?: LogFormat, logLevel?: string }, env: NodeJS.ProcessEnv, isLogLevel: LevelCheck): StartOptions {
  let level: LogLevel = 'info'
  if (env.BROOK_LOG_LEVEL !== undefined && env.BROOK_LOG_LEVEL !== '') {
    if (!isLogLevel(env.BROOK_LOG_LEVEL)) throw new UsageError(`BROOK_LOG_LEVEL: unknown log level ${env.BROOK_LOG_LEVEL}`)
    level = env.BROOK_LOG_LEVEL
  }
  if (flags.logLevel !== undefined) {
    if (!isLogLevel(flags.logLevel)) throw new UsageError(`--log-level: unknown level ${flags.logLevel}`)
    level = flags.logLevel
  }
  return {
    configFile: flags.config ?? null,
    overrides: flags.override ?? {},
    logFormat: flags.logFormat ?? (env.BROOK_LOG_FORMAT === 'json' ? 'json' : 'pretty'),
    logLevel: level
  }
}

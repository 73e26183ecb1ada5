// Logging: pino. On a terminal (the default) lines are pretty-printed synchronously in this
// thread (no worker transport, so nothing is lost at exit); `json` writes pino's JSON lines.
// Per-request events are debug level; info is for lifecycle events only.
import type { Logger } from '@brook/common'
import { pino, type LevelWithSilent } from 'pino'
import pretty from 'pino-pretty'

export type LogFormat = 'pretty' | 'json'
export type LogLevel = LevelWithSilent

export interface LoggerOptions {
  format?: LogFormat
  level?: LogLevel
  /** File descriptor to write to; 1 (stdout) by default. */
  fd?: number
}

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export function isLogLevel (value: string): value is LogLevel {
  return LEVELS.includes(value)
}

export function createLogger (options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info'
  const fd = options.fd ?? 1
  if (options.format === 'json') {
    return pino({ level, base: { pid: process.pid } }, pino.destination({ fd, sync: true }))
  }
  const stream = pretty({
    sync: true,
    destination: fd,
    colorize: fd === 1 ? process.stdout.isTTY : process.stderr.isTTY,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname'
  })
  return pino({ level }, stream)
}

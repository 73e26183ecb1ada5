// A Logger that keeps every line in memory (as JSON text, bindings included), for tests that
// check what the broker logged, or that it never logged a secret.
import type { Logger, LogFn } from '@brook/common'

export interface RecordingLogger extends Logger {
  /** Every line so far, serialized (errors by message and stack). */
  readonly lines: string[]
}

export function recordingLogger (): RecordingLogger {
  const lines: string[] = []
  const make = (bindings: Record<string, unknown>): Logger => {
    const at = (level: string): LogFn => (objOrMsg, msg) => {
      const obj = typeof objOrMsg === 'string' ? {} : objOrMsg
      const text = typeof objOrMsg === 'string' ? objOrMsg : msg ?? ''
      lines.push(JSON.stringify({ level, ...bindings, ...obj, msg: text }, (_k, v: unknown) => v instanceof Error ? { message: v.message, stack: v.stack } : v))
    }
    return { fatal: at('fatal'), error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), child: (more) => make({ ...bindings, ...more }) }
  }
  return Object.assign(make({}), { lines })
}

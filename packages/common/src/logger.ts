// The one logging seam of every Brook package. Its call shapes are pino's (an object and/or a
// message), so the broker passes its pino logger straight through; libraries and tests that want
// no output pass silentLogger.
export type LogFn = (objOrMsg: object | string, msg?: string) => void

export interface Logger {
  fatal: LogFn
  error: LogFn
  warn: LogFn
  info: LogFn
  debug: LogFn
  /** A logger that adds `bindings` to every line (pino's child). */
  child: (bindings: Record<string, unknown>) => Logger
}

const ignore: LogFn = () => {}

export const silentLogger: Logger = {
  fatal: ignore,
  error: ignore,
  warn: ignore,
  info: ignore,
  debug: ignore,
  child: () => silentLogger
}

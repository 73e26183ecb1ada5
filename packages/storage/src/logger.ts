// The logging seam: pino's call shapes (an object and/or a message), so the broker can pass pino.
export type LogFn = (objOrMsg: object | string, msg?: string) => void

export interface Logger {
  info: LogFn
  warn: LogFn
  error: LogFn
}

export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {}
}

// `brook http` / `brook console` as a child process, for the tests of the standalone HTTP API:
// started with its arguments, its address read from the "HTTP API on <url>" log line.
import { spawn } from 'node:child_process'
import { CLI_PATH } from '@brook/testkit'

export interface HttpProcess {
  url: string
  logs: () => string
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code (128 + signal for a signal death). */
  stop: () => Promise<number>
}

const HTTP_LINE = /HTTP API on (http:\/\/[^\s"]+)/

export async function startHttpProcess (command: 'http' | 'console', args: readonly string[], timeoutMs = 30_000): Promise<HttpProcess> {
  const child = spawn(process.execPath, [CLI_PATH, command, '--listeners', 'http://127.0.0.1:0', '--log-format', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => { resolve(code ?? (signal === 'SIGKILL' ? 137 : 143)) })
  })
  let found: ((url: string) => void) | undefined
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line === '') continue
        lines.push(line)
        const match = HTTP_LINE.exec(line)
        if (match !== null && found !== undefined) {
          found(match[1] ?? '')
          found = undefined
        }
      }
    })
  }
  const logs = (): string => lines.join('\n')
  const stop = async (): Promise<number> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      const code = await exited
      clearTimeout(timer)
      return code
    }
    return await exited
  }
  let timer: NodeJS.Timeout | undefined
  try {
    const url = await Promise.race([
      new Promise<string>((resolve) => { found = resolve }),
      exited.then((code) => { throw new Error(`brook ${command} exited with ${code} before serving`) }),
      new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`brook ${command} did not log its address within ${timeoutMs} ms`)), timeoutMs) })
    ])
    return { url, logs, stop }
  } catch (err) {
    child.kill('SIGKILL')
    throw new Error(`${(err as Error).message}\n--- log ---\n${logs()}`, { cause: err })
  } finally {
    clearTimeout(timer)
  }
}

// Starts the `brook` CLI as a child process, for tests that need a real process boundary:
// kill -9 and restart on the same data dir, or proof that bad input never makes it exit.
// The bound address is read from the log line "listening on <host>:<port>".
import { spawn, type ChildProcess } from 'node:child_process'
import { constants } from 'node:os'
import { fileURLToPath } from 'node:url'
import { reapWithThisProcess } from './child-reaper.js'
import { tempDir } from './temp-dir.js'

/** Overridable so a test can point at another build of the CLI. */
export const CLI_PATH = process.env.BROOK_CLI ?? fileURLToPath(new URL('../../../cli/bin/brook.js', import.meta.url))

export interface BrokerProcessOptions {
  /** Data directory (log.dirs). Without it a temporary one is made and removed on stop(). */
  dataDir?: string
  /** Extra `--override key=value` settings, with Kafka's config names. */
  overrides?: Record<string, string>
  /** How long to wait for the "listening on" line. */
  startTimeoutMs?: number
  /**
   * A command the broker runs under, e.g. `['ip', 'netns', 'exec', 'ns1']` for a network namespace;
   * it must exec the broker in place, so that signals reach the broker itself.
   */
  command?: readonly string[]
  /** Extra environment variables (LD_PRELOAD of libfaketime...), on top of this process's. */
  env?: Readonly<Record<string, string>>
  /** Node options before the broker's script, e.g. `['--trace-gc']` (not all are allowed in NODE_OPTIONS). */
  nodeArgs?: readonly string[]
  /** Called with every line the broker writes (stdout and stderr), e.g. for --trace-gc output. */
  onLine?: (line: string) => void
}

export interface BrokerProcess {
  host: string
  port: number
  /** "host:port", for clients' bootstrap lists. */
  bootstrap: string
  dataDir: string
  process: ChildProcess
  /** Resolves once with the exit code; a signal death gives 128 + the signal's number. */
  exited: Promise<number>
  /** The last lines the broker logged (stdout and stderr), for failure messages. */
  logs: () => string
  /** Sends `signal` (default SIGTERM), waits up to 10 s, then SIGKILL. Resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number>
  /** SIGKILL, as a crash: nothing gets to flush. Resolves with the exit code (137). */
  kill9: () => Promise<number>
}

const LISTENING = /listening on (\[[^\]]+\]|[^\s:"]+):(\d+)/
const KEPT_LOG_LINES = 200

export async function startBrokerProcess (options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
  const owned = options.dataDir === undefined ? await tempDir('brook-data-') : undefined
  const dataDir = options.dataDir ?? owned?.path ?? ''
  const settings: Record<string, string> = {
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'log.dirs': dataDir,
    ...options.overrides
  }
  const args = [...options.nodeArgs ?? [], CLI_PATH, 'start', '--log-format', 'json']
  for (const [key, value] of Object.entries(settings)) args.push('--override', `${key}=${value}`)

  const [wrapper, ...wrapperArgs] = options.command ?? []
  const env = options.env === undefined ? undefined : { ...process.env, ...options.env }
  const child = wrapper === undefined
    ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
    : spawn(wrapper, [...wrapperArgs, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
  // A test process that dies or times out must not leave brokers behind on the shared machine.
  reapWithThisProcess(child)
  const lines: string[] = []
  let onAddress: ((address: { host: string, port: number }) => void) | undefined

  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]))
    })
  })

  const collect = (stream: NodeJS.ReadableStream): void => {
    let partial = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) {
        options.onLine?.(line)
        lines.push(line)
        if (lines.length > KEPT_LOG_LINES) lines.shift()
        const match = LISTENING.exec(line)
        if (match !== null && onAddress !== undefined) {
          onAddress({ host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(match[2]) })
          onAddress = undefined
        }
      }
    })
  }
  if (child.stdout !== null) collect(child.stdout)
  if (child.stderr !== null) collect(child.stderr)
  const logs = (): string => lines.join('\n')

  const removeOwned = async (code: number): Promise<number> => {
    if (owned !== undefined) await owned.cleanup()
    return code
  }
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    return await removeOwned(await exited)
  }
  const kill9 = async (): Promise<number> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    return await exited
  }

  const timeoutMs = options.startTimeoutMs ?? 20_000
  let timer: NodeJS.Timeout | undefined
  try {
    const address = await Promise.race([
      new Promise<{ host: string, port: number }>((resolve) => { onAddress = resolve }),
      exited.then((code) => { throw new Error(`broker exited with ${code} before listening`) }),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`broker did not log "listening on" within ${timeoutMs} ms`)), timeoutMs)
      })
    ])
    return {
      ...address,
      bootstrap: `${address.host}:${address.port}`,
      dataDir,
      process: child,
      exited,
      logs,
      stop,
      kill9
    }
  } catch (err) {
    await stop('SIGKILL')
    throw new Error(`${(err as Error).message}\n--- broker log ---\n${logs()}`, { cause: err })
  } finally {
    clearTimeout(timer)
  }
}

// Child processes for the real-client transaction tests. The testkit harness cannot be imported
// from broker tests (testkit depends on broker: nothing imports up), so these few helpers spawn
// the same things directly: a broker (this package's startBroker in a child Node process, so it
// can be killed with SIGKILL and restarted on the same port and data dir), Python clients
// (/usr/bin/python3, Debian's confluent-kafka), and Node scripts. Every child is killed when the
// test process exits, so a failing test never leaves processes behind.
import { type ChildProcess, spawn } from 'node:child_process'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** The repository root: children resolve packages (kafkajs, @brook/*) from here. */
const REPO_ROOT = fileURLToPath(new URL('../../../../../../', import.meta.url))
const BROKER_MODULE = new URL('../../../src/broker.js', import.meta.url).href
/** Python and other non-TS fixtures stay in the source tree (tsc does not copy them). */
function fixture (name: string): string {
  return fileURLToPath(new URL(`../../../../test/txn/clients/fixtures/${name}`, import.meta.url))
}

export interface Child {
  process: ChildProcess
  /** Resolves with the exit code (128 + signal number for a signal death). */
  exited: Promise<number>
  /** stdout lines so far. */
  lines: string[]
  stderr: () => string
  /** Resolves with the first stdout line matching `pattern` (rejects if the child exits first or after timeoutMs). */
  waitForLine: (pattern: RegExp, timeoutMs: number) => Promise<RegExpExecArray>
  kill9: () => Promise<number>
}

function spawnChild (command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  const lines: string[] = []
  const errors: string[] = []
  const waiters: Array<{ pattern: RegExp, resolve: (m: RegExpExecArray) => void }> = []
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child)
      resolve(code ?? (signal === 'SIGKILL' ? 137 : 128))
    })
  })
  let partial = ''
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? ''
    for (const line of parts) {
      lines.push(line)
      for (const w of [...waiters]) {
        const m = w.pattern.exec(line)
        if (m !== null) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(m)
        }
      }
    }
  })
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    errors.push(chunk)
    if (errors.length > 200) errors.shift()
  })
  const waitForLine = async (pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> => {
    for (const line of lines) {
      const m = pattern.exec(line)
      if (m !== null) return m
    }
    let timer: NodeJS.Timeout | undefined
    try {
      return await Promise.race([
        new Promise<RegExpExecArray>((resolve) => waiters.push({ pattern, resolve })),
        exited.then((code) => { throw new Error(`${command} exited with ${code} before printing ${String(pattern)}:\n${errors.join('').slice(-3000)}`) }),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`no line matching ${String(pattern)} within ${timeoutMs} ms:\n${errors.join('').slice(-3000)}`)), timeoutMs)
        })
      ])
    } finally {
      clearTimeout(timer)
    }
  }
  const kill9 = async (): Promise<number> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    return await exited
  }
  return { process: child, exited, lines, stderr: () => errors.join(''), waitForLine, kill9 }
}

export interface BrokerChild extends Child {
  port: number
  bootstrap: string
  /** SIGTERM (clean close), waiting for the exit. */
  stop: () => Promise<number>
}

/** A broker in a child process on 127.0.0.1 (`port` 0: a free one), its data in `dataDir`. */
export async function startBrokerChild (dataDir: string, port: number, config: Record<string, string> = {}): Promise<BrokerChild> {
  const settings = { listeners: `PLAINTEXT://127.0.0.1:${port}`, 'log.dirs': dataDir, ...config }
  const script = [
    `const { startBroker } = await import(${JSON.stringify(BROKER_MODULE)})`,
    `const broker = await startBroker({ config: ${JSON.stringify(settings)} })`,
    'console.log(`PORT ${broker.port}`)',
    "process.once('SIGTERM', () => { broker.close().then(() => process.exit(0), () => process.exit(1)) })"
  ].join('\n')
  const child = spawnChild(process.execPath, ['--input-type=module', '-e', script])
  const m = await child.waitForLine(/^PORT (\d+)$/, 30_000)
  const bound = Number(m[1])
  return {
    ...child,
    port: bound,
    bootstrap: `127.0.0.1:${bound}`,
    stop: async () => {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM')
      return await child.exited
    }
  }
}

/** Runs a Node ESM snippet (kafkajs resolves from the repository root). */
export function spawnNodeScript (source: string, env: NodeJS.ProcessEnv = {}): Child {
  return spawnChild(process.execPath, ['--input-type=module', '-e', source], env)
}

const PYTHON = '/usr/bin/python3'

export function spawnPython (script: string, args: readonly string[]): Child {
  return spawnChild(PYTHON, [fixture(script), ...args], { PYTHONUNBUFFERED: '1' })
}

/** Runs a Python fixture to completion; resolves with its stdout (throws on failure or timeout). */
export async function runPython (script: string, args: readonly string[], timeoutMs: number): Promise<string> {
  const child = spawnPython(script, args)
  const timer = setTimeout(() => { void child.kill9() }, timeoutMs)
  const code = await child.exited
  clearTimeout(timer)
  if (code !== 0) throw new Error(`${script} exited with ${code}:\n${child.stderr().slice(-4000)}`)
  return child.lines.join('\n')
}

export async function sleep (ms: number): Promise<void> {
  await delay(ms)
}

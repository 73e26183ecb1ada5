// Runs external client programs (kcat, /usr/bin/python3 scripts) with a hard time limit and
// captures their output, so a hung client fails its test instead of hanging the run.
import { spawn } from 'node:child_process'

export interface RunOptions {
  timeoutMs: number
  input?: string | Buffer
  env?: NodeJS.ProcessEnv
  cwd?: string
}

export interface RunResult {
  /** Exit code, or null when the process was ended by a signal. */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: Buffer
  stderr: string
  timedOut: boolean
}

export function runCommand (command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe']
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), timedOut })
    })
    // A client that exits before reading all its input closes the pipe; its exit status says why.
    child.stdin.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') reject(e)
    })
    child.stdin.end(options.input ?? '')
  })
}

/** Fails with the program's stderr when it timed out or exited non-zero. */
export function assertSucceeded (what: string, result: RunResult): RunResult {
  if (result.timedOut || result.code !== 0) {
    const why = result.timedOut ? 'timed out' : `exited with ${result.code ?? result.signal}`
    throw new Error(`${what} ${why}:\n${result.stderr.slice(-4000)}`)
  }
  return result
}

export const KCAT = 'kcat'
/** Debian's python3-confluent-kafka is installed for this interpreter only. */
export const SYSTEM_PYTHON = '/usr/bin/python3'

export function runKcat (args: readonly string[], options: RunOptions): Promise<RunResult> {
  return runCommand(KCAT, args, options)
}

export function runPython (script: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return runCommand(SYSTEM_PYTHON, [script, ...args], options)
}

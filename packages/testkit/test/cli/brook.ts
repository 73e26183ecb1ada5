// Runs the built `brook` binary as a subprocess, as a user would.
import { fileURLToPath } from 'node:url'
import { type RunResult, runCommand } from '@brook/testkit'

export const BROOK_BIN = fileURLToPath(new URL('../../../../cli/bin/brook.js', import.meta.url))

export interface BrookResult extends RunResult { out: string }

export async function brook (args: string[], options: { input?: string | Buffer, env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<BrookResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env }
  delete env.BROOK_BOOTSTRAP_SERVER
  delete env.BROOK_CLIENT_CONFIG
  if (options.env?.BROOK_BOOTSTRAP_SERVER !== undefined) env.BROOK_BOOTSTRAP_SERVER = options.env.BROOK_BOOTSTRAP_SERVER
  const result = await runCommand(process.execPath, [BROOK_BIN, ...args], { timeoutMs: options.timeoutMs ?? 60_000, env, ...(options.input !== undefined ? { input: options.input } : {}) })
  return { ...result, out: result.stdout.toString('utf8') }
}

/** Runs brook and fails with its stderr unless it exited 0. */
export async function brookOk (args: string[], options: { input?: string | Buffer, env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<BrookResult> {
  const r = await brook(args, options)
  if (r.code !== 0) throw new Error(`brook ${args.join(' ')} exited ${r.code ?? r.signal} (timed out: ${r.timedOut}):\n${r.stderr}\n${r.out.slice(0, 2000)}`)
  return r
}

/** Runs brook with --format json and parses what it printed. */
export async function brookJson<T> (args: string[], options: { input?: string | Buffer, timeoutMs?: number } = {}): Promise<T> {
  return JSON.parse((await brookOk([...args, '--format', 'json'], options)).out) as T
}

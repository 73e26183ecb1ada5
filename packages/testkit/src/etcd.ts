// A real etcd for tests: one member on free loopback ports, in its own temporary data directory,
// with etcd's default limits (128 operations per transaction, 1.5 MiB per request). It can be
// stopped and started again on the same ports and data (an etcd restart), or killed.
import { spawn, type ChildProcess } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { createServer } from 'node:net'
import { reapWithThisProcess } from './child-reaper.js'
import { tempDir, type TempDir } from './temp-dir.js'
import { waitFor } from './wait-for.js'

/** Where Debian's etcd-server package installs the binary; BROOK_ETCD_BIN overrides it. */
export const DEFAULT_ETCD_BIN = '/usr/bin/etcd'

export interface EtcdServer {
  /** The client URL, e.g. "http://127.0.0.1:41234". */
  readonly endpoint: string
  readonly dataDir: string
  /** Stops the member (SIGTERM, then SIGKILL after 5 s); keeps its data. */
  stop: () => Promise<void>
  /** Kills the member at once (SIGKILL); keeps its data. */
  kill: () => Promise<void>
  /** Starts it again on the same ports and data directory; resolves once it is healthy. */
  start: () => Promise<void>
  /** Stops it and removes its data directory. */
  close: () => Promise<void>
}

export interface EtcdOptions {
  /** Most time to wait for the member to become healthy. */
  startTimeoutMs?: number
  /** The address it listens on (127.0.0.1 by default), e.g. its network namespace's. */
  host?: string
  /** A command etcd runs under, e.g. `['ip', 'netns', 'exec', 'ns0']`; it must exec etcd in place. */
  command?: readonly string[]
}

export async function etcdBinary (): Promise<string> {
  const bin = process.env.BROOK_ETCD_BIN ?? DEFAULT_ETCD_BIN
  try {
    await access(bin, constants.X_OK)
  } catch (err) {
    throw new Error(`etcd not found at ${bin}: install Debian's etcd-server package (apt-get install etcd-server) ` +
      'or point BROOK_ETCD_BIN at an etcd 3.4+ binary', { cause: err })
  }
  return bin
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => { resolve(port) })
    })
  })
}

async function healthy (endpoint: string): Promise<boolean> {
  const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) })
  const body = await res.json() as { health?: string }
  return res.ok && body.health === 'true'
}

export async function startEtcd (options: EtcdOptions = {}): Promise<EtcdServer> {
  const bin = await etcdBinary()
  const dir: TempDir = await tempDir('brook-etcd-')
  const clientPort = await freePort()
  const peerPort = await freePort()
  const host = options.host ?? '127.0.0.1'
  const endpoint = `http://${host}:${clientPort}`
  const peer = `http://${host}:${peerPort}`
  const args = [
    '--name', 'brook-test',
    '--data-dir', dir.path,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `brook-test=${peer}`,
    '--logger', 'zap',
    '--log-level', 'error'
  ]
  let child: ChildProcess | null = null
  let stderr = ''

  const exited = async (c: ChildProcess): Promise<void> => {
    if (c.exitCode !== null || c.signalCode !== null) return
    await new Promise<void>((resolve) => c.once('exit', () => { resolve() }))
  }

  const start = async (): Promise<void> => {
    if (child !== null) throw new Error('etcd is already running')
    stderr = ''
    const [wrapper, ...wrapperArgs] = options.command ?? []
    const c = wrapper === undefined
      ? spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(wrapper, [...wrapperArgs, bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    reapWithThisProcess(c) // a test that dies or times out must not leave etcd running
    child = c
    c.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000) })
    c.once('exit', () => { if (child === c) child = null })
    try {
      await waitFor(async () => {
        if (c.exitCode !== null) throw new Error(`etcd exited with code ${c.exitCode}: ${stderr}`)
        return await healthy(endpoint)
      }, options.startTimeoutMs ?? 15_000, { message: `etcd healthy at ${endpoint}`, intervalMs: 50 })
    } catch (err) {
      c.kill('SIGKILL')
      await exited(c)
      throw new Error(`etcd did not start: ${stderr}`, { cause: err })
    }
  }

  const signalAndWait = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child
    if (c === null) return
    c.kill(signal)
    const timer = setTimeout(() => { c.kill('SIGKILL') }, 5000)
    await exited(c)
    clearTimeout(timer)
    child = null
  }

  try {
    await start()
  } catch (err) {
    await dir.cleanup()
    throw err
  }
  return {
    endpoint,
    dataDir: dir.path,
    start,
    stop: async () => await signalAndWait('SIGTERM'),
    kill: async () => await signalAndWait('SIGKILL'),
    close: async () => {
      await signalAndWait('SIGTERM')
      await dir.cleanup()
    }
  }
}

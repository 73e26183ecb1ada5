// librdkafka 2.15's share consumer (KIP-932) for tests. Its JavaScript binding has no share
// consumer, so native/share-consumer.c drives the C API; it is compiled here once per build of
// librdkafka (cc, into a cache dir keyed by the source and library), linked with an rpath to the
// library it was built against, and run as a child process whose stdout lines are parsed.
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { kafkaJavascriptDir } from './kafka-javascript.js'
import { assertSucceeded, runCommand } from './run-command.js'

const SOURCE = fileURLToPath(new URL('../../native/share-consumer.c', import.meta.url))

export interface ShareMessage {
  partition: number
  offset: number
  deliveryCount: number
  ack: 'accept' | 'release' | 'reject' | 'none'
  value: string
  /** When the line arrived (Date.now()). */
  at: number
}

export interface ShareAcked {
  partition: number
  error: number
  offsets: number[]
  at: number
}

export interface ShareConsumerOptions {
  bootstrap: string
  group: string
  topic: string
  /** RELEASE offsets ≡ 0 mod N while delivered fewer than releaseUntil times. */
  releaseMod?: number
  releaseUntil?: number
  /** REJECT offsets ≡ 0 mod N. */
  rejectMod?: number
  /** After N records, acknowledge nothing more and wait to be killed. */
  hangAfter?: number
  /** Microseconds spent on each record (a slow worker). */
  delayUs?: number
  /** No MSG lines (benchmarks count ACKED lines instead). */
  quiet?: boolean
  debug?: string
}

export interface ShareConsumerProcess {
  readonly messages: ShareMessage[]
  readonly acked: ShareAcked[]
  readonly errors: string[]
  readonly process: ChildProcess
  /** True once the program printed HANG. */
  readonly hanging: () => boolean
  /** Offsets the broker confirmed as accepted (ACKED with error 0 of records this consumer accepted). */
  readonly confirmedAccepted: () => Set<string>
  readonly stderr: () => string
  /** SIGTERM (close: pending acknowledgements are sent) and wait for the exit. */
  stop: () => Promise<number | null>
  /** SIGKILL, as a crash. */
  kill: () => Promise<number | null>
}

function librdkafkaDir (): string {
  return join(kafkaJavascriptDir(), 'build', 'deps')
}

let built: Promise<string> | undefined

/** Compiles the program (once per source + library), returning the binary's path. */
export async function buildShareConsumer (): Promise<string> {
  built ??= (async () => {
    const lib = librdkafkaDir()
    const so = join(lib, 'librdkafka.so')
    if (!existsSync(so)) throw new Error(`librdkafka 2.15 is not built in ${lib}: run scripts/install-librdkafka-client.sh first`)
    const source = readFileSync(SOURCE)
    const hash = createHash('sha256').update(source).update(String(statSync(so).mtimeMs)).update(lib).digest('hex').slice(0, 16)
    const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'brook', 'share-consumer')
    mkdirSync(dir, { recursive: true })
    const binary = join(dir, `share-consumer-${hash}`)
    if (existsSync(binary)) return binary
    const tmp = `${binary}.${process.pid}.tmp`
    assertSucceeded('cc share-consumer.c', await runCommand('cc', [
      '-O1', '-o', tmp, SOURCE, `-I${join(lib, 'include')}`, `-L${lib}`, '-lrdkafka', `-Wl,-rpath,${lib}`
    ], { timeoutMs: 120_000 }))
    await runCommand('mv', [tmp, binary], { timeoutMs: 10_000 })
    return binary
  })()
  return await built
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export async function startShareConsumer (options: ShareConsumerOptions): Promise<ShareConsumerProcess> {
  const binary = await buildShareConsumer()
  const args = ['--bootstrap', options.bootstrap, '--group', options.group, '--topic', options.topic]
  if (options.releaseMod !== undefined) args.push('--release-mod', String(options.releaseMod))
  if (options.releaseUntil !== undefined) args.push('--release-until', String(options.releaseUntil))
  if (options.rejectMod !== undefined) args.push('--reject-mod', String(options.rejectMod))
  if (options.hangAfter !== undefined) args.push('--hang-after', String(options.hangAfter))
  if (options.delayUs !== undefined) args.push('--delay-us', String(options.delayUs))
  if (options.quiet === true) args.push('--quiet', '1')
  if (options.debug !== undefined) args.push('--debug', options.debug)
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  const messages: ShareMessage[] = []
  const acked: ShareAcked[] = []
  const errors: string[] = []
  let hang = false
  let err = ''
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child)
      resolve(code)
    })
  })
  let partial = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    const at = Date.now()
    for (const line of lines) {
      const [kind, ...rest] = line.split(' ')
      if (kind === 'MSG') {
        const [partition, offset, deliveryCount, ack, ...value] = rest
        messages.push({ partition: Number(partition), offset: Number(offset), deliveryCount: Number(deliveryCount), ack: ack as ShareMessage['ack'], value: value.join(' '), at })
      } else if (kind === 'ACKED') {
        const [partition, error, ...offsets] = rest
        acked.push({ partition: Number(partition), error: Number(error), offsets: offsets.map(Number), at })
      } else if (kind === 'HANG') {
        hang = true
      } else if (kind === 'ERR') {
        errors.push(rest.join(' '))
      }
    }
  })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    err = (err + chunk).slice(-20_000)
  })
  return {
    messages,
    acked,
    errors,
    process: child,
    hanging: () => hang,
    confirmedAccepted: () => {
      const accepted = new Set(messages.filter((m) => m.ack === 'accept').map((m) => `${m.partition}:${m.offset}:${m.deliveryCount}`))
      const out = new Set<string>()
      // An acknowledgement answer names offsets; a record is confirmed accepted when this
      // consumer accepted it (in its latest delivery) and the answer had no error.
      const latest = new Map<string, ShareMessage>()
      for (const m of messages) latest.set(`${m.partition}:${m.offset}`, m)
      for (const a of acked) {
        if (a.error !== 0) continue
        for (const o of a.offsets) {
          const m = latest.get(`${a.partition}:${o}`)
          if (m !== undefined && accepted.has(`${m.partition}:${m.offset}:${m.deliveryCount}`)) out.add(`${a.partition}:${o}`)
        }
      }
      return out
    },
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      const code = await exited
      clearTimeout(timer)
      return code
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
      return await exited
    }
  }
}

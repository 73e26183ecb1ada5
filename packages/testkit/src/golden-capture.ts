// Golden-byte captures from real clients: a broker behind two capture proxies (one plaintext
// listener, one SASL_PLAINTEXT listener, each advertised as its proxy so clients stay on it), and
// the bookkeeping every capture test shares: keep the first request per (api, version) within
// what the broker advertises, check it round-trips through @brook/protocol, normalise it and,
// with BROOK_WRITE_GOLDEN=1, store it as packages/protocol/test/fixtures/golden/<client>-<api>-v<N>.hex.
import { mkdir, readdir, unlink, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { HANDLERS } from '@brook/broker'
import { ApiKey } from '@brook/protocol'
import { startCaptureProxy, type CaptureProxy, type CapturedRequest } from './capture-proxy.js'
import { normaliseRequestFrame, roundTripRequestFrame } from './golden.js'
import { startTestBroker, type TestBroker } from './in-process.js'

/** Where the fixtures live (the protocol package's tests read them from its source tree). */
export const GOLDEN_DIR = fileURLToPath(new URL('../../../protocol/test/fixtures/golden/', import.meta.url))

/** Users the golden broker's PLAIN mechanism knows. */
export const GOLDEN_SASL_USER = { username: 'golden', password: 'golden-secret' } as const

const NAMES = new Map<number, string>(Object.entries(ApiKey).map(([name, key]) => [key, kebab(name)]))

function kebab (name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
}

/** The fixture-name form of an api key: 'ApiVersions' is 'api-versions'. */
export function goldenApiName (apiKey: number): string {
  const name = NAMES.get(apiKey)
  if (name === undefined) throw new Error(`unknown api key ${apiKey}`)
  return name
}

export interface VersionRange { min: number, max: number }

/** What the broker advertises in ApiVersions, per api key. */
export function advertisedRanges (): Map<number, VersionRange> {
  return new Map(HANDLERS.map((h) => [h.api.key, { min: h.versions.advertisedMin ?? h.versions.min, max: h.versions.max }]))
}

export interface GoldenSetup {
  broker: TestBroker
  /** Forwards to the PLAINTEXT listener. */
  proxy: CaptureProxy
  /** Forwards to the SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). */
  saslProxy: CaptureProxy
  /** Every request either proxy saw, in arrival order. */
  requests: () => CapturedRequest[]
  close: () => Promise<void>
}

export async function startGoldenSetup (config: Record<string, string> = {}): Promise<GoldenSetup> {
  const proxy = await startCaptureProxy()
  const saslProxy = await startCaptureProxy()
  const jaas = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${GOLDEN_SASL_USER.username}="${GOLDEN_SASL_USER.password}";`
  let broker: TestBroker
  try {
    broker = await startTestBroker({
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'advertised.listeners': `PLAINTEXT://${proxy.bootstrap},SASL_PLAINTEXT://${saslProxy.bootstrap}`,
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': jaas,
      'num.partitions': '1',
      // Kafka waits 3 s for more members before a new group's first rebalance; one is enough here.
      'group.initial.rebalance.delay.ms': '0',
      ...config
    })
  } catch (err) {
    await Promise.allSettled([proxy.close(), saslProxy.close()])
    throw err
  }
  const portOf = (name: string): number => {
    const listener = broker.listeners.find((l) => l.name === name)
    if (listener === undefined) throw new Error(`no listener ${name}`)
    return listener.port
  }
  proxy.setTarget('127.0.0.1', portOf('PLAINTEXT'))
  saslProxy.setTarget('127.0.0.1', portOf('SASL_PLAINTEXT'))
  return {
    broker,
    proxy,
    saslProxy,
    requests: () => [...proxy.requests, ...saslProxy.requests],
    close: async () => {
      await Promise.allSettled([proxy.close(), saslProxy.close()])
      await broker.close()
    }
  }
}

export interface KeptRequest { name: string, apiKey: number, apiVersion: number, frame: Buffer }

export interface GoldenResult {
  kept: KeptRequest[]
  /** Requests that failed to round-trip, as '<fixture name>: <why>'. */
  failures: string[]
}

/**
 * The first request per (api, version) the broker advertises, each checked to re-encode
 * byte-equal as captured and again once normalised; `kept` holds the normalised frames.
 */
export function collectGolden (client: string, requests: readonly CapturedRequest[], ranges = advertisedRanges()): GoldenResult {
  const seen = new Set<string>()
  const kept: KeptRequest[] = []
  const failures: string[] = []
  for (const r of requests) {
    const range = ranges.get(r.apiKey)
    if (range === undefined || r.apiVersion < range.min || r.apiVersion > range.max) continue
    const id = `${r.apiKey}/${r.apiVersion}`
    if (seen.has(id)) continue
    seen.add(id)
    const name = `${client}-${goldenApiName(r.apiKey)}-v${r.apiVersion}`
    try {
      if (!roundTripRequestFrame(r.frame).equals(r.frame)) throw new Error('re-encoded bytes differ')
      const stored = normaliseRequestFrame(r.frame)
      if (!roundTripRequestFrame(stored).equals(stored)) throw new Error('normalised bytes do not round-trip')
      kept.push({ name, apiKey: r.apiKey, apiVersion: r.apiVersion, frame: stored })
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`)
    }
  }
  return { kept, failures }
}

/** An api key the client must send (at some version), or [api key, version]. */
export type ExpectedRequest = number | readonly [number, number]

/** What in `expected` no kept request has. */
function missingApis (result: GoldenResult, expected: readonly ExpectedRequest[]): string[] {
  const have = new Set(result.kept.flatMap((k) => [`${k.apiKey}`, `${k.apiKey}/${k.apiVersion}`]))
  return expected
    .filter((e) => !have.has(typeof e === 'number' ? `${e}` : `${e[0]}/${e[1]}`))
    .map((e) => typeof e === 'number' ? goldenApiName(e) : `${goldenApiName(e[0])} v${e[1]}`)
}

/**
 * Runs one client's workload behind the setup's proxies and returns what is wrong with its
 * capture (requests that do not round-trip, expected apis it did not send); with
 * BROOK_WRITE_GOLDEN=1 its fixtures are rewritten.
 */
export async function captureClient (setup: GoldenSetup, client: string, expected: readonly ExpectedRequest[], drive: () => Promise<void>): Promise<string[]> {
  const from = [setup.proxy.requests.length, setup.saslProxy.requests.length] as const
  await drive()
  const requests = [...setup.proxy.requests.slice(from[0]), ...setup.saslProxy.requests.slice(from[1])]
  const result = collectGolden(client, requests)
  const problems = [...result.failures, ...missingApis(result, expected).map((api) => `${client} sent no ${api} request`)]
  if (writingGolden() && problems.length === 0) await writeGoldenFixtures(client, result.kept)
  return problems
}

/** Whether this run writes fixtures (BROOK_WRITE_GOLDEN=1). */
export function writingGolden (): boolean {
  return process.env.BROOK_WRITE_GOLDEN === '1'
}

/** Replaces every fixture of this client with the kept frames (hex, 32 bytes a line). */
export async function writeGoldenFixtures (client: string, kept: readonly KeptRequest[]): Promise<void> {
  await mkdir(GOLDEN_DIR, { recursive: true })
  for (const file of await readdir(GOLDEN_DIR)) {
    if (file.startsWith(`${client}-`) && file.endsWith('.hex')) await unlink(GOLDEN_DIR + file)
  }
  for (const k of kept) {
    await writeFile(`${GOLDEN_DIR}${k.name}.hex`, (k.frame.toString('hex').match(/.{1,64}/g) ?? []).join('\n') + '\n')
  }
}

// A broker with its HTTP API in this process, and a small fetch wrapper for the tests of the
// REST API and /metrics.
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { startHttpServer, type HttpServer } from '@brook/http'
import { assertSucceeded, runCommand, startTestBroker, SYSTEM_PYTHON, type TestBroker } from '@brook/testkit'

export interface HttpBroker {
  broker: TestBroker
  http: HttpServer
  url: string
  close: () => Promise<void>
}

export async function startHttpBroker (config: Record<string, string> = {}, options: { bodyLimit?: number } = {}): Promise<HttpBroker> {
  const broker = await startTestBroker({ 'num.partitions': '1', 'offsets.topic.num.partitions': '3', 'group.initial.rebalance.delay.ms': '0', ...config })
  let http: HttpServer
  try {
    http = await startHttpServer({ broker, listeners: 'http://127.0.0.1:0', ...options })
  } catch (err) {
    await broker.close()
    throw err
  }
  return {
    broker,
    http,
    url: http.addresses[0]?.url ?? '',
    close: async () => {
      try {
        await http.close()
      } finally {
        await broker.close()
      }
    }
  }
}

export interface Answer {
  status: number
  contentType: string
  /** The parsed JSON body (null for an empty one). */
  body: unknown
}

export interface CallOptions {
  body?: unknown
  /** A raw body, sent as is. */
  raw?: string | Buffer
  contentType?: string
  accept?: string
}

export async function call (base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (options.contentType !== undefined || options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/vnd.kafka.v2+json'
  if (options.accept !== undefined) headers.accept = options.accept
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  const response = await fetch(`${base}${path}`, { method, headers, body, signal: AbortSignal.timeout(60_000) })
  const text = await response.text()
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: text === '' ? null : JSON.parse(text) as unknown }
}

/** A REST Proxy error answer: the status and the { error_code, message } body. */
export function assertRestError (answer: Answer, status: number, errorCode: number): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body))
  const body = answer.body as { error_code: number, message: string }
  assert.equal(body.error_code, errorCode, JSON.stringify(body))
  assert.equal(typeof body.message, 'string')
  assert.ok(body.message.length > 0)
}

export interface Sample { name: string, labels: Record<string, string>, value: number | null }

/**
 * Parses Prometheus text with the Prometheus project's own parser (python3-prometheus-client),
 * so a malformed exposition fails the test. Returns every sample.
 */
async function parsePrometheus (text: string): Promise<Sample[]> {
  const script = [
    'import sys, json, math',
    'from prometheus_client.parser import text_string_to_metric_families',
    'out = []',
    'for family in text_string_to_metric_families(sys.stdin.read()):',
    '    for s in family.samples:',
    // NaN and the infinities are valid in the text format but not in JSON: they come back as null.
    '        out.append({"name": s.name, "labels": s.labels, "value": s.value if math.isfinite(s.value) else None})',
    'print(json.dumps(out))'
  ].join('\n')
  const result = assertSucceeded('prometheus parser', await runCommand(SYSTEM_PYTHON, ['-c', script], { timeoutMs: 30_000, input: text }))
  return JSON.parse(result.stdout.toString('utf8')) as Sample[]
}

export async function scrape (base: string): Promise<Sample[]> {
  const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(30_000) })
  assert.equal(response.status, 200)
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
  return await parsePrometheus(await response.text())
}

/** The value of one series (0 when absent: a counter not yet incremented). */
export function sample (samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  return found?.value ?? 0
}

/** A GET with a JSON body (the REST Proxy's GET .../offsets takes one; fetch cannot send it). */
export async function getWithBody (base: string, path: string, body: unknown): Promise<Answer> {
  const payload = Buffer.from(JSON.stringify(body))
  return await new Promise<Answer>((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'GET', headers: { 'content-type': 'application/vnd.kafka.v2+json', 'content-length': payload.length }, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: text === '' ? null : JSON.parse(text) as unknown })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error('GET timed out')))
    req.end(payload)
  })
}

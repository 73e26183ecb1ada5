// Hostile input: thousands of connections carrying random bytes, truncated frames, absurd size
// prefixes, valid headers with garbage bodies, and unknown api keys or versions. Each connection
// must be answered or closed, a healthy connection must keep working throughout, data written
// before must still be readable, and the broker process must never exit.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { prng } from '@brook/common'
import {
  RawConnection, apiVersionsV0Request, assertSucceeded, kcatConsumeAll, parseApiVersionsV0,
  probeApiVersions, runKcat, startBrokerProcess
} from '@brook/testkit'

const ATTACK_MS = 12_000
const WORKERS = 16
const MAX_CONNECTIONS = 6000
const ANSWER_TIMEOUT_MS = 5000

type Case = { kind: string, bytes: Buffer, endAfter: boolean }

function header (apiKey: number, apiVersion: number, correlationId: number, flexible: boolean): Buffer {
  const clientId = Buffer.from('fuzz')
  const h = Buffer.alloc(8 + 2 + clientId.length + (flexible ? 1 : 0))
  h.writeInt16BE(apiKey, 0)
  h.writeInt16BE(apiVersion, 2)
  h.writeInt32BE(correlationId, 4)
  h.writeInt16BE(clientId.length, 8)
  clientId.copy(h, 10)
  return h
}

function frame (body: Buffer): Buffer {
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length)
  return Buffer.concat([size, body])
}

function randomBytes (rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256)
  return b
}

// Keys the broker is likely to serve, with versions inside and outside their ranges.
const KNOWN_KEYS = [0, 1, 2, 3, 8, 9, 10, 11, 18, 19, 20, 32, 60]

function makeCase (rand: () => number, n: number): Case {
  const pick = Math.floor(rand() * 8)
  const key = KNOWN_KEYS[Math.floor(rand() * KNOWN_KEYS.length)] ?? 18
  switch (pick) {
    case 0:
      // Random bytes may look like a size prefix; the half-close tells the broker no more is coming.
      return { kind: 'random bytes', bytes: randomBytes(rand, 1 + Math.floor(rand() * 600)), endAfter: true }
    case 1: {
      const whole = apiVersionsV0Request(n)
      return { kind: 'truncated frame', bytes: whole.subarray(0, 1 + Math.floor(rand() * (whole.length - 1))), endAfter: true }
    }
    case 2: {
      const sizes = [0x7fffffff, -1, -2147483648, 0x10000000, 104857601]
      const size = Buffer.alloc(4)
      size.writeInt32BE(sizes[Math.floor(rand() * sizes.length)] ?? -1)
      return { kind: 'huge size prefix', bytes: Buffer.concat([size, randomBytes(rand, Math.floor(rand() * 64))]), endAfter: false }
    }
    case 3: {
      const version = Math.floor(rand() * 13)
      const body = Buffer.concat([header(key, version, n, version >= 9), randomBytes(rand, Math.floor(rand() * 300))])
      return { kind: `garbage body key ${key} v${version}`, bytes: frame(body), endAfter: false }
    }
    case 4: {
      const keys = [-1, 99, 1000, 32767, -32768]
      const bad = keys[Math.floor(rand() * keys.length)] ?? 99
      return { kind: `unknown api key ${bad}`, bytes: frame(header(bad, 0, n, false)), endAfter: false }
    }
    case 5: {
      const versions = [-1, 100, 32767]
      const version = versions[Math.floor(rand() * versions.length)] ?? 100
      return { kind: `unsupported version key ${key} v${version}`, bytes: frame(header(key, version, n, false)), endAfter: false }
    }
    case 6: {
      // A frame too short to hold a request header.
      return { kind: 'short header', bytes: frame(randomBytes(rand, Math.floor(rand() * 8))), endAfter: false }
    }
    default: {
      // A valid request, then garbage on the same connection.
      return { kind: 'valid then garbage', bytes: Buffer.concat([apiVersionsV0Request(n), frame(randomBytes(rand, 40))]), endAfter: false }
    }
  }
}

test('bad input: every hostile connection is answered or closed, the broker stays up and keeps data', { timeout: 90_000 }, async (t) => {
  const seed = Number(process.env.BROOK_FUZZ_SEED ?? Date.now() % 1_000_000)
  const broker = await startBrokerProcess({ overrides: { 'num.partitions': '1' } })
  const healthy: RawConnection[] = []
  try {
    assertSucceeded('kcat -P', await runKcat(
      ['-P', '-b', broker.bootstrap, '-t', 'survivor', '-K', ':', '-m', '10'],
      { input: 'a:first\nb:second\n', timeoutMs: 30_000 }
    ))

    const steady = await RawConnection.connect(broker.host, broker.port)
    healthy.push(steady)
    const failures: string[] = []
    const counts = new Map<string, number>()
    let started = 0
    let healthChecks = 0
    const stopAt = Date.now() + ATTACK_MS

    const health = (async () => {
      let correlationId = 1
      while (Date.now() < stopAt) {
        steady.write(apiVersionsV0Request(correlationId))
        const reply = await steady.nextFrame(ANSWER_TIMEOUT_MS)
        assert.ok(reply !== undefined, 'the healthy connection was closed')
        assert.equal(parseApiVersionsV0(reply).correlationId, correlationId)
        const fresh = await probeApiVersions(broker.host, broker.port, ANSWER_TIMEOUT_MS)
        assert.equal(fresh.errorCode, 0)
        healthChecks++
        correlationId++
        await sleep(100)
      }
    })()

    const worker = async (w: number): Promise<void> => {
      const rand = prng(seed * 100 + w)
      while (Date.now() < stopAt && started < MAX_CONNECTIONS) {
        const n = started++
        const c = makeCase(rand, n)
        const kind = c.kind.replace(/ key -?\d+| v-?\d+/g, '')
        counts.set(kind, (counts.get(kind) ?? 0) + 1)
        const conn = await RawConnection.connect(broker.host, broker.port)
        try {
          conn.write(c.bytes)
          if (c.endAfter) conn.socket.end()
          await conn.answeredOrClosed(ANSWER_TIMEOUT_MS)
        } catch (err) {
          failures.push(`${c.kind} (${c.bytes.subarray(0, 24).toString('hex')}): ${(err as Error).message}`)
        } finally {
          conn.destroy()
        }
      }
    }
    await Promise.all([health, ...Array.from({ length: WORKERS }, (_v, w) => worker(w))])

    assert.deepEqual(failures.slice(0, 10), [], `seed ${seed}: ${failures.length} connections neither answered nor closed`)
    t.diagnostic(`seed ${seed}: ${started} hostile connections (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}), ${healthChecks} health checks`)
    assert.ok(started >= 1000, `only ${started} hostile connections were made`)
    assert.equal(counts.size, 8, 'every kind of bad input was sent')
    assert.ok(healthChecks > 10, `only ${healthChecks} health checks ran`)
    assert.equal(broker.process.exitCode, null, `the broker exited\n${broker.logs()}`)
    assert.equal(broker.process.signalCode, null)

    const after = await kcatConsumeAll(broker.bootstrap, 'survivor', 30_000)
    assert.deepEqual(after.map((m) => [m.key, m.payload]), [['a', 'first'], ['b', 'second']])
  } finally {
    for (const conn of healthy) conn.destroy()
    await broker.stop()
  }
})

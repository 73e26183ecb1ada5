// The SASL state machine over raw sockets, with frames built by hand (not Brook's codec): what
// may come before authentication, old clients' SaslHandshake v0 + raw tokens, re-authentication
// (KIP-368), and bad input: garbage in the exchange, a replayed or truncated SCRAM exchange, a TLS handshake
// that never finishes, 10,000 failed logins. Throughout, the broker stays up, other clients keep
// working, and no password reaches the log.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { connect as netConnect } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { readFileSync } from 'node:fs'
import { ScramClient } from '@brook/client'
import { apiVersionsV0Request, makeTestCerts, parseApiVersionsV0, PLAIN_USERS, RawConnection, SCRAM_USERS, recordingLogger,
  startSecureTestBroker, type RecordingLogger, type SecureTestBroker, type TestCerts } from '@brook/testkit'

let certs: TestCerts
let broker: SecureTestBroker
let log: RecordingLogger

before(async () => {
  certs = await makeTestCerts()
  log = recordingLogger()
  broker = await startSecureTestBroker(certs, {}, { logger: log })
})

after(async () => {
  await broker?.close()
  await certs?.cleanup()
})

// Request header v1: api key, version, correlation id, client id (int16 length + bytes).
function request (apiKey: number, version: number, correlationId: number, body: Buffer): Buffer {
  const clientId = Buffer.from('raw-sasl')
  const head = Buffer.alloc(10)
  head.writeInt16BE(apiKey, 0)
  head.writeInt16BE(version, 2)
  head.writeInt32BE(correlationId, 4)
  head.writeInt16BE(clientId.length, 8)
  return sized(Buffer.concat([head, clientId, body]))
}

function sized (payload: Buffer): Buffer {
  const size = Buffer.alloc(4)
  size.writeInt32BE(payload.length)
  return Buffer.concat([size, payload])
}

function str (text: string): Buffer {
  const bytes = Buffer.from(text)
  const len = Buffer.alloc(2)
  len.writeInt16BE(bytes.length)
  return Buffer.concat([len, bytes])
}

function bytes (data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeInt32BE(data.length)
  return Buffer.concat([len, data])
}

const handshake = (version: number, mechanism: string, correlationId = 1): Buffer => request(17, version, correlationId, str(mechanism))
const authenticate = (token: Buffer, correlationId = 2): Buffer => request(36, 1, correlationId, bytes(token))
const metadataV0 = (correlationId = 3): Buffer => request(3, 0, correlationId, Buffer.from([0, 0, 0, 0]))

function parseHandshake (frame: Buffer): { errorCode: number, mechanisms: string[] } {
  const errorCode = frame.readInt16BE(4)
  const count = frame.readInt32BE(6)
  const mechanisms: string[] = []
  for (let i = 0, at = 10; i < count; i++) {
    const len = frame.readInt16BE(at)
    mechanisms.push(frame.subarray(at + 2, at + 2 + len).toString())
    at += 2 + len
  }
  return { errorCode, mechanisms }
}

/** SaslAuthenticate v1 response: error code, message, auth bytes, session lifetime. */
function parseAuthenticate (frame: Buffer): { errorCode: number, errorMessage: string | null, authBytes: Buffer, sessionLifetimeMs: bigint } {
  const errorCode = frame.readInt16BE(4)
  const msgLen = frame.readInt16BE(6)
  const errorMessage = msgLen < 0 ? null : frame.subarray(8, 8 + msgLen).toString()
  let at = 8 + Math.max(msgLen, 0)
  const authLen = frame.readInt32BE(at)
  const authBytes = frame.subarray(at + 4, at + 4 + authLen)
  at += 4 + authLen
  return { errorCode, errorMessage, authBytes, sessionLifetimeMs: frame.readBigInt64BE(at) }
}

function port (listener: Parameters<SecureTestBroker['bootstrapOf']>[0]): number {
  return Number(broker.bootstrapOf(listener).split(':')[1])
}

async function plainLogin (conn: RawConnection, user: string, password: string): Promise<ReturnType<typeof parseAuthenticate>> {
  conn.socket.write(handshake(1, 'PLAIN'))
  const hs = parseHandshake(await conn.nextFrame(5000) ?? Buffer.alloc(0))
  assert.equal(hs.errorCode, 0)
  conn.socket.write(authenticate(Buffer.from(`\u0000${user}\u0000${password}`)))
  return parseAuthenticate(await conn.nextFrame(5000) ?? Buffer.alloc(0))
}

/** Another client still gets answers: ApiVersions on the PLAINTEXT listener. */
async function othersStillServed (): Promise<void> {
  const conn = await RawConnection.connect('127.0.0.1', port('PLAINTEXT'))
  try {
    conn.socket.write(apiVersionsV0Request(7))
    const frame = await conn.nextFrame(5000)
    assert.ok(frame !== undefined)
    assert.equal(parseApiVersionsV0(frame).errorCode, 0)
  } finally {
    conn.socket.destroy()
  }
}

test('before authentication only ApiVersions and SaslHandshake are served; anything else closes the connection', { timeout: 20_000 }, async () => {
  const conn = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
  conn.socket.write(apiVersionsV0Request(1))
  const versions = parseApiVersionsV0(await conn.nextFrame(5000) ?? Buffer.alloc(0))
  for (const key of [17, 36, 50, 51]) assert.ok(versions.apis.some((a) => a.apiKey === key), `api ${key} advertised`)
  conn.socket.write(metadataV0())
  assert.equal(await conn.answeredOrClosed(5000), 'closed')

  const after = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
  const ok = await plainLogin(after, 'alice', PLAIN_USERS.alice)
  assert.equal(ok.errorCode, 0)
  after.socket.write(metadataV0())
  assert.equal(await after.answeredOrClosed(5000), 'answered')
  after.socket.destroy()
})

test('SaslHandshake v0 then a raw PLAIN token (old clients); a wrong one just closes', { timeout: 20_000 }, async () => {
  const conn = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
  conn.socket.write(handshake(0, 'PLAIN'))
  const hs = parseHandshake(await conn.nextFrame(5000) ?? Buffer.alloc(0))
  assert.deepEqual(hs, { errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] })
  conn.socket.write(sized(Buffer.from(`\u0000bob\u0000${PLAIN_USERS.bob}`)))
  const token = await conn.nextFrame(5000)
  assert.equal(token?.length, 0, 'PLAIN answers an empty token')
  conn.socket.write(apiVersionsV0Request(9))
  assert.equal(parseApiVersionsV0(await conn.nextFrame(5000) ?? Buffer.alloc(0)).correlationId, 9)
  conn.socket.destroy()

  const wrong = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
  wrong.socket.write(handshake(0, 'PLAIN'))
  await wrong.nextFrame(5000)
  wrong.socket.write(sized(Buffer.from('\u0000bob\u0000nope')))
  assert.equal(await wrong.answeredOrClosed(5000), 'closed')
})

test('garbage during the SASL exchange: refused with SASL_AUTHENTICATION_FAILED or a close; the broker stays up', { timeout: 20_000 }, async () => {
  const scram = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
  scram.socket.write(handshake(1, 'SCRAM-SHA-256'))
  assert.equal(parseHandshake(await scram.nextFrame(5000) ?? Buffer.alloc(0)).errorCode, 0)
  scram.socket.write(authenticate(randomBytes(64)))
  const refused = parseAuthenticate(await scram.nextFrame(5000) ?? Buffer.alloc(0))
  assert.equal(refused.errorCode, 58, 'SASL_AUTHENTICATION_FAILED')
  await scram.closed

  const mechanism = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
  mechanism.socket.write(handshake(1, 'GSSAPI'))
  assert.deepEqual(parseHandshake(await mechanism.nextFrame(5000) ?? Buffer.alloc(0)), { errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] })
  await mechanism.closed

  // A whole frame of garbage behind an unknown api key: random leading bytes could announce a
  // plausible size and leave the broker rightly waiting for the rest.
  const garbageFrame = Buffer.concat([Buffer.from([0, 0, 0, 200, 0x7f, 0x7f]), randomBytes(198)])
  for (const junk of [garbageFrame, Buffer.from([0, 0, 0, 3, 1, 2, 3]), Buffer.from([0x7f, 0xff, 0xff, 0xff])]) {
    const conn = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
    conn.socket.write(junk)
    assert.equal(await conn.answeredOrClosed(5000), 'closed')
  }
  // SaslAuthenticate on a PLAINTEXT listener: Kafka's ILLEGAL_SASL_STATE.
  const plain = await RawConnection.connect('127.0.0.1', port('PLAINTEXT'))
  plain.socket.write(authenticate(Buffer.from('x')))
  assert.equal(parseAuthenticate(await plain.nextFrame(5000) ?? Buffer.alloc(0)).errorCode, 34)
  plain.socket.destroy()
  await othersStillServed()
})

test('a truncated SCRAM exchange and a TLS handshake that never finishes do not hold anyone up', { timeout: 30_000 }, async () => {
  const truncated = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
  truncated.socket.write(handshake(1, 'SCRAM-SHA-512'))
  await truncated.nextFrame(5000)
  truncated.socket.write(authenticate(Buffer.from('n,,n=scram512,r=abcdef')))
  const first = parseAuthenticate(await truncated.nextFrame(5000) ?? Buffer.alloc(0))
  assert.equal(first.errorCode, 0)
  assert.match(first.authBytes.toString(), /^r=abcdef[^,]+,s=[^,]+,i=4096$/)
  truncated.socket.destroy()

  // Half a ClientHello, then silence, on both TLS listeners.
  const stalled = await Promise.all(['SSL', 'SASL_SSL'].map(async (name) => await new Promise<ReturnType<typeof netConnect>>((resolve, reject) => {
    const socket = netConnect(port(name as 'SSL'), '127.0.0.1', () => {
      socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]))
      resolve(socket)
    })
    socket.on('error', reject)
  })))
  try {
    // A full TLS client with a certificate still gets through meanwhile, and is answered.
    const secure = tlsConnect({
      host: '127.0.0.1', port: port('SSL'), servername: 'localhost',
      ca: readFileSync(certs.caCert), cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey)
    })
    await new Promise<void>((resolve, reject) => { secure.once('secureConnect', () => resolve()); secure.once('error', reject) })
    const answered = new Promise<Buffer>((resolve) => secure.once('data', resolve))
    secure.write(apiVersionsV0Request(5))
    const frame = await answered
    assert.equal(parseApiVersionsV0(frame.subarray(4)).correlationId, 5)
    secure.destroy()
    await othersStillServed()
  } finally {
    for (const s of stalled) s.destroy()
  }
})

test('a replayed SCRAM exchange is refused: the server nonce is new each time', { timeout: 30_000 }, async () => {
  // A complete, successful SCRAM-SHA-256 exchange, recorded.
  const recorded = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
  const client = new ScramClient('SCRAM-SHA-256', 'scram256', SCRAM_USERS.scram256, 'fixed-client-nonce')
  recorded.socket.write(handshake(1, 'SCRAM-SHA-256'))
  assert.equal(parseHandshake(await recorded.nextFrame(5000) ?? Buffer.alloc(0)).errorCode, 0)
  const clientFirst = client.next(null) ?? Buffer.alloc(0)
  recorded.socket.write(authenticate(clientFirst))
  const serverFirst = parseAuthenticate(await recorded.nextFrame(5000) ?? Buffer.alloc(0))
  assert.equal(serverFirst.errorCode, 0)
  const clientFinal = client.next(serverFirst.authBytes) ?? Buffer.alloc(0)
  recorded.socket.write(authenticate(clientFinal, 3))
  const serverFinal = parseAuthenticate(await recorded.nextFrame(5000) ?? Buffer.alloc(0))
  assert.equal(serverFinal.errorCode, 0)
  assert.equal(client.next(serverFinal.authBytes), null, 'the server signature checks out')
  recorded.socket.destroy()

  // The same bytes played again on a new connection: the server answers with a new nonce, so the
  // recorded proof no longer fits and the login fails.
  const replay = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
  replay.socket.write(handshake(1, 'SCRAM-SHA-256'))
  assert.equal(parseHandshake(await replay.nextFrame(5000) ?? Buffer.alloc(0)).errorCode, 0)
  replay.socket.write(authenticate(clientFirst))
  const again = parseAuthenticate(await replay.nextFrame(5000) ?? Buffer.alloc(0))
  assert.equal(again.errorCode, 0)
  assert.notEqual(again.authBytes.toString(), serverFirst.authBytes.toString(), 'a new server nonce')
  replay.socket.write(authenticate(clientFinal, 3))
  assert.equal(parseAuthenticate(await replay.nextFrame(5000) ?? Buffer.alloc(0)).errorCode, 58, 'SASL_AUTHENTICATION_FAILED')
  await replay.closed
  // The client-final replayed in the recorded connection's place, after its own success, is
  // not a SCRAM message the server expects either.
  const twice = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
  twice.socket.write(handshake(1, 'SCRAM-SHA-256'))
  await twice.nextFrame(5000)
  twice.socket.write(authenticate(clientFinal))
  assert.equal(parseAuthenticate(await twice.nextFrame(5000) ?? Buffer.alloc(0)).errorCode, 58)
  await twice.closed
  await othersStillServed()
})

test('10,000 failed logins: each refused, logged without the password; the broker keeps serving', { timeout: 300_000 }, async () => {
  const before = log.lines.length
  const TOTAL = 10_000
  // Below the listen backlog (socket.listen.backlog.size, 50 as Kafka's): more connects at once
  // overflow the accept queue and wait out TCP's SYN retransmits, which measures the kernel.
  const PARALLEL = 40
  let refused = 0
  let started = 0
  // PARALLEL connections at a time, each worker taking the next attempt when its last one closed
  // (the broker holds each refusal for connection.failed.authentication.delay.ms, 20 ms here).
  const worker = async (): Promise<void> => {
    for (let n = started++; n < TOTAL; n = started++) {
      const conn = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
      try {
        const result = await plainLogin(conn, 'alice', `hunter2-${n}`)
        if (result.errorCode === 58) refused++
        await conn.closed
      } finally {
        conn.socket.destroy()
      }
    }
  }
  // Meanwhile a client that logged in keeps being answered.
  const served = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
  assert.equal((await plainLogin(served, 'bob', PLAIN_USERS.bob)).errorCode, 0)
  let answeredMeanwhile = 0
  let attacking = true
  const watcher = (async () => {
    for (let correlationId = 100; attacking; correlationId++) {
      served.socket.write(metadataV0(correlationId))
      assert.equal(await served.answeredOrClosed(30_000), 'answered')
      answeredMeanwhile++
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  })()
  await Promise.all(Array.from({ length: PARALLEL }, worker))
  attacking = false
  await watcher
  served.socket.destroy()
  assert.equal(refused, TOTAL)
  assert.ok(answeredMeanwhile > 0, 'the logged-in client was answered during the attack')
  const lines = log.lines.slice(before)
  assert.equal(lines.filter((l) => l.includes('Failed authentication')).length, TOTAL)
  assert.ok(!log.lines.some((l) => l.includes('hunter2') || l.includes(PLAIN_USERS.alice) || l.includes(PLAIN_USERS.bob)), 'no password in the log')
  const good = await RawConnection.connect('127.0.0.1', port('SASL_PLAINTEXT'))
  assert.equal((await plainLogin(good, 'bob', PLAIN_USERS.bob)).errorCode, 0)
  good.socket.destroy()
  await othersStillServed()
})

test('re-authentication (KIP-368): session lifetime reported, expired sessions closed, re-auth keeps the connection', { timeout: 30_000 }, async () => {
  const own = await startSecureTestBroker(certs, { 'listener.name.sasl_plaintext.connections.max.reauth.ms': '1500' })
  try {
    const p = Number(own.bootstrapOf('SASL_PLAINTEXT').split(':')[1])
    const conn = await RawConnection.connect('127.0.0.1', p)
    const first = await plainLogin(conn, 'alice', PLAIN_USERS.alice)
    assert.equal(first.sessionLifetimeMs, 1500n)
    conn.socket.write(metadataV0(10))
    assert.equal(await conn.answeredOrClosed(5000), 'answered')
    // Re-authenticate before expiry: the session goes on.
    const again = await plainLogin(conn, 'alice', PLAIN_USERS.alice)
    assert.equal(again.errorCode, 0)
    // Another principal on re-authentication is refused.
    const other = await RawConnection.connect('127.0.0.1', p)
    assert.equal((await plainLogin(other, 'alice', PLAIN_USERS.alice)).errorCode, 0)
    const switched = await plainLogin(other, 'bob', PLAIN_USERS.bob)
    assert.equal(switched.errorCode, 58)
    assert.match(switched.errorMessage ?? '', /Cannot change principals/)
    await new Promise((resolve) => setTimeout(resolve, 1700))
    conn.socket.write(metadataV0(11))
    assert.equal(await conn.answeredOrClosed(5000), 'closed', 'an expired session is closed')
  } finally {
    await own.close()
  }
})

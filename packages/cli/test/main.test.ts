import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/brook.js', import.meta.url))
const LISTENING = /listening on ([^\s:"]+):(\d+)/

function run (args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const listening = new Promise<{ host: string, port: number }>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const match = LISTENING.exec(output)
      if (match !== null) resolve({ host: match[1] ?? '', port: Number(match[2]) })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', () => reject(new Error(`exited before listening:\n${output}`)))
  })
  // Tests that expect an early exit never await `listening`.
  listening.catch(() => {})
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, listening, exited, output: () => output }
}

test('brook start binds a free port, logs it, and exits 0 on SIGTERM after a clean shutdown', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-cli-'))
  try {
    await writeFile(join(dir, 'server.properties'), `listeners=PLAINTEXT://127.0.0.1:9092\nlog.dirs=${join(dir, 'data')}\nnum.partitions=2\n`)
    const broker = run(['start', '--config', join(dir, 'server.properties'), '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--log-format', 'json'])
    const { host, port } = await broker.listening
    assert.equal(host, '127.0.0.1')
    assert.notEqual(port, 9092)
    const socket = connect({ host, port })
    await once(socket, 'connect')
    socket.destroy()
    broker.child.kill('SIGTERM')
    assert.equal(await broker.exited, 0)
    const lines = broker.output().trim().split('\n').map((l) => JSON.parse(l) as { msg: string })
    assert.ok(lines.some((l) => l.msg === 'broker stopped'))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('SIGINT (Ctrl-C) shuts down cleanly too', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-cli-'))
  try {
    const broker = run(['start', '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${dir}`])
    await broker.listening
    broker.child.kill('SIGINT')
    assert.equal(await broker.exited, 0)
    assert.match(broker.output(), /broker stopped/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('a bad setting or a bad flag exits non-zero without starting', { timeout: 30_000 }, async () => {
  const badConfig = run(['start', '--override', 'num.partitions=zero', '--override', 'listeners=PLAINTEXT://127.0.0.1:0'])
  assert.equal(await badConfig.exited, 1)
  assert.match(badConfig.output(), /num.partitions/)
  const badFlag = run(['start', '--frobnicate'])
  assert.equal(await badFlag.exited, 2)
  assert.match(badFlag.output(), /unknown option '--frobnicate'/)
})

test('a config file that cannot be read stops the start with exit 1 and names the file', { timeout: 20_000 }, async () => {
  const missing = join(tmpdir(), `brook-missing-${process.pid}.properties`)
  const broker = run(['start', '--config', missing])
  assert.equal(await broker.exited, 1)
  assert.match(broker.output(), new RegExp(`cannot read the config file ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
})

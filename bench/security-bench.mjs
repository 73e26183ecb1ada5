#!/usr/bin/env node
// `npm run bench:security` (also the last part of `npm run bench`): what security costs, measured
// in one run on one machine, with a real librdkafka client (rdkbench, else kcat):
//   1. TLS + SASL: one `brook start` process with a PLAINTEXT and a SASL_SSL listener (TLS 1.3,
//      SASL/PLAIN: the login is once per connection, so the mechanism does not move the figure).
//      Produce (acks=all) and consume 1 KiB records over each, taking turns, each produce into a
//      new topic; the consume reads back the topic just produced over the same listener.
//   2. Authorization: two `brook start` processes, one without an authorizer and one with the
//      StandardAuthorizer and 1,000 ACLs (2 that let User:ANONYMOUS create and write bench.*,
//      998 others a lookup must skip: literal, prefixed, wildcard principals, hosts, DENYs).
//      Produce 1 KiB records over PLAINTEXT to each, taking turns.
// Each comparison runs --repeat N pairs (3; 1 with --quick), the order inside a pair alternating;
// the median pair's ratio is the figure. The machine has 2 cores shared by client and broker, so
// only the ratios within one run mean something.
//
// Usage: node bench/security-bench.mjs [--quick] [--repeat N] [--json out.json]
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { FileAclStore } from '../packages/metadata/dist/src/index.js'
import { makeTestCerts } from '../packages/testkit/dist/src/index.js'
import { ACL_COUNT as ACLS, benchBindings } from './acl-bindings.mjs'
import { freePort, rdkbenchPath } from './bench-tools.mjs'

const root = new URL('..', import.meta.url).pathname
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const repeats = args.includes('--repeat') ? Number(args[args.indexOf('--repeat') + 1]) : (quick ? 1 : 3)
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : join(root, '.bench', 'security-bench.json')
const COUNT = quick ? 50_000 : 200_000
const SIZE = 1024

/** `brook start` with these overrides; resolves once every listener logged "listening on". */
async function startBroker (overrides, listenerCount) {
  const argv = [join(root, 'packages/cli/bin/brook.js'), 'start', '--log-format', 'json']
  for (const [k, v] of Object.entries(overrides)) argv.push('--override', `${k}=${v}`)
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] })
  let buffered = ''
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start within 30 s:\n${buffered.slice(-2000)}`)), 30_000)
    child.stdout.on('data', (chunk) => {
      buffered += chunk
      if ((buffered.match(/listening on/g) ?? []).length >= listenerCount) { clearTimeout(timer); resolve() }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`broker exited with ${code}:\n${buffered.slice(-2000)}`)) })
  })
  child.stdout.resume()
  return child
}

async function stopBroker (child) {
  if (child.exitCode !== null) return
  child.kill('SIGTERM')
  await once(child, 'exit')
}

/** Keeps librdkafka 2.0.2 fetching (see broker-bench.mjs: its queue back-off of one second). */
const UNTHROTTLED = ['-X', 'queued.min.messages=10000000', '-X', 'queued.max.messages.kbytes=2097151']

function rdkResult (stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  if (!line) throw new Error(`no RESULT line in: ${stdout}`)
  return JSON.parse(line.slice(7))
}

function run (cmd, argv) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 30 })
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`)
  return { seconds, stdout: r.stdout }
}

/** A client: produce / consume COUNT records of SIZE bytes, msgs/s. */
function client (rdk, dir) {
  if (rdk !== null) {
    return {
      name: 'rdkbench (librdkafka)',
      produce: (bootstrap, topic, security) => rdkResult(run(rdk, ['produce', '-b', bootstrap, '-t', topic, '-c', '-p', '1', '-n', String(COUNT), '-s', String(SIZE), '-a', 'all', ...security]).stdout).msgs_per_s,
      consume: (bootstrap, topic, security) => rdkResult(run(rdk, ['consume', '-b', bootstrap, '-t', topic, '-p', '1', '-n', String(COUNT), '--idle', '5', ...UNTHROTTLED, ...security]).stdout).msgs_per_s
    }
  }
  const input = join(dir, 'records.txt')
  writeFileSync(input, ('x'.repeat(SIZE - 1) + '\n').repeat(COUNT))
  return {
    name: 'kcat (librdkafka)',
    produce: (bootstrap, topic, security) => COUNT / run('kcat', ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all', '-X', 'linger.ms=5', '-l', input, ...security]).seconds,
    consume: (bootstrap, topic, security) => COUNT / run('kcat', ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-c', String(COUNT), '-f', '%o\n', ...security]).seconds
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

/** `repeats` pairs of (a, b), the order alternating; returns each pair and the median ratio b / a. */
function pairs (a, b) {
  const out = []
  for (let rep = 1; rep <= repeats; rep++) {
    let x, y
    if (rep % 2 === 1) { x = a(rep); y = b(rep) } else { y = b(rep); x = a(rep) }
    out.push({ a: x, b: y, ratio: y / x })
  }
  return { pairs: out, ratio: median(out.map((p) => p.ratio)) }
}

async function tlsAndSasl (c, dir, certs) {
  const plainPort = await freePort()
  const securePort = await freePort()
  const broker = await startBroker({
    listeners: `PLAINTEXT://127.0.0.1:${plainPort},SASL_SSL://127.0.0.1:${securePort}`,
    'log.dirs': join(dir, 'tls'),
    'num.partitions': '1',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': certs.serverKeystore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.caCert,
    'sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.sasl_ssl.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_bench="bench-secret";'
  }, 2)
  const secure = ['-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=bench', '-X', 'sasl.password=bench-secret', '-X', `ssl.ca.location=${certs.caCert}`]
  const plain = `127.0.0.1:${plainPort}`
  const tls = `127.0.0.1:${securePort}`
  try {
    const produce = pairs((rep) => c.produce(plain, `plain-${rep}`, []), (rep) => c.produce(tls, `secure-${rep}`, secure))
    const consume = pairs((rep) => c.consume(plain, `plain-${rep}`, []), (rep) => c.consume(tls, `secure-${rep}`, secure))
    return { produce, consume }
  } finally {
    await stopBroker(broker)
  }
}

async function authorization (c, dir) {
  const offDir = join(dir, 'authz-off')
  const onDir = join(dir, 'authz-on')
  mkdirSync(onDir, { recursive: true })
  // Bindings are put in the store file before the start, as a broker restarted with them has.
  const store = await FileAclStore.open(onDir)
  await store.create(benchBindings('User:ANONYMOUS'))
  await store.close()
  const offPort = await freePort()
  const onPort = await freePort()
  const off = await startBroker({ listeners: `PLAINTEXT://127.0.0.1:${offPort}`, 'log.dirs': offDir, 'num.partitions': '1' }, 1)
  try {
    const on = await startBroker({
      listeners: `PLAINTEXT://127.0.0.1:${onPort}`,
      'log.dirs': onDir,
      'num.partitions': '1',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'
    }, 1)
    try {
      return pairs((rep) => c.produce(`127.0.0.1:${offPort}`, `bench.off-${rep}`, []), (rep) => c.produce(`127.0.0.1:${onPort}`, `bench.on-${rep}`, []))
    } finally {
      await stopBroker(on)
    }
  } finally {
    await stopBroker(off)
  }
}

async function main () {
  const dir = mkdtempSync(join(tmpdir(), 'brook-security-bench-'))
  const certs = await makeTestCerts()
  const c = client(rdkbenchPath(), dir)
  const results = { date: new Date().toISOString(), node: process.version, client: c.name, quick, count: COUNT, size: SIZE, loadBefore: loadavg()[0] }
  try {
    results.tls = await tlsAndSasl(c, dir, certs)
    results.authorization = await authorization(c, dir)
  } finally {
    await certs.cleanup()
    rmSync(dir, { recursive: true, force: true })
  }
  results.loadAfter = loadavg()[0]

  const row = (name, r, a, b) => {
    const each = r.pairs.map((p) => `${fmt(p.a)} / ${fmt(p.b)} = ${fmt(p.ratio, 3)}`).join('; ')
    console.log(`${name.padEnd(40)} ${fmt(r.ratio, 3).padStart(6)}   (${a} / ${b} msgs/s: ${each})`)
  }
  console.log(`\nBrook security benchmark (${c.name}, ${fmt(COUNT)} x ${SIZE} B, ${repeats} pair(s), node ${process.version}), load average ${fmt(results.loadBefore, 2)} before, ${fmt(results.loadAfter, 2)} after`)
  console.log('comparison                                ratio   (pairs)')
  row('produce acks=all, SASL_SSL vs PLAINTEXT', results.tls.produce, 'PLAINTEXT', 'SASL_SSL')
  row('consume, SASL_SSL vs PLAINTEXT', results.tls.consume, 'PLAINTEXT', 'SASL_SSL')
  row(`produce, ${ACLS} ACLs vs no authorizer`, results.authorization, 'off', 'on')
  mkdirSync(join(jsonOut, '..'), { recursive: true })
  writeFileSync(jsonOut, JSON.stringify(results, null, 2))
  console.log(`\nresults written to ${jsonOut}`)
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})

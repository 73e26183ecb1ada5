#!/usr/bin/env node
// `npm run bench:authorizer`: what authorization costs (issue 12's target: under 5 % of produce
// throughput with 1,000 ACLs defined).
//   1. Decisions per second of the StandardAuthorizer with 1,000 bindings (literal, prefixed,
//      wildcard, several principals), the check a produce request makes per topic.
//   2. Produce throughput of 1 KiB records over SASL_PLAINTEXT (PLAIN user "bench"), kcat
//      (librdkafka) as the client, against a broker without an authorizer and one with the
//      StandardAuthorizer and 1,000 ACLs, taking turns (--repeat N pairs, 3 by default); the
//      median pair's ratio is printed with every pair.
// Figures on a shared machine move between runs; only the ratio within one run means something.
//
// Usage: node bench/authorizer-bench.mjs [--quick] [--repeat N]
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { startBroker } from '../packages/broker/dist/src/index.js'
import { FileAclStore, ResourceType, AclOperation } from '../packages/metadata/dist/src/index.js'
import { ACL_COUNT as ACLS, benchBindings } from './acl-bindings.mjs'
import { StandardAuthorizer } from '../packages/broker/dist/src/security/authorizer/standard-authorizer.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const repeats = args.includes('--repeat') ? Number(args[args.indexOf('--repeat') + 1]) : (quick ? 1 : 3)
const RECORDS = quick ? 50_000 : 200_000
const SIZE = 1024
const TOPIC = 'bench.orders'

async function decisionsPerSecond () {
  const dir = mkdtempSync(join(tmpdir(), 'brook-authz-bench-'))
  const store = await FileAclStore.open(dir)
  await store.create(benchBindings('User:bench'))
  const authorizer = new StandardAuthorizer(store, { superUsers: new Set(), allowEveryoneIfNoAclFound: false })
  const who = { principal: { type: 'User', name: 'bench' }, host: '127.0.0.1' }
  const action = [{ resourceType: ResourceType.TOPIC, resourceName: TOPIC, operation: AclOperation.WRITE }]
  const n = quick ? 200_000 : 1_000_000
  let allowed = 0
  const start = performance.now()
  for (let i = 0; i < n; i++) if (authorizer.authorize(who, action)[0]) allowed++
  const seconds = (performance.now() - start) / 1000
  authorizer.close()
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  if (allowed !== n) throw new Error(`expected every decision to allow, got ${allowed} of ${n}`)
  return { perSecond: n / seconds, microseconds: (seconds * 1e6) / n }
}

function run (cmd, argv, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code) => code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${stderr.slice(-500)}`)))
    child.stdin.end(input)
  })
}

async function produceRun (withAcls, payload) {
  const dir = mkdtempSync(join(tmpdir(), 'brook-authz-bench-'))
  const config = {
    'log.dirs': dir,
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    'sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_bench="bench-secret";',
    ...(withAcls ? { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:ANONYMOUS' } : {})
  }
  if (withAcls) {
    // Bindings are put in the store file before the start, as a broker restarted with them has.
    const store = await FileAclStore.open(dir)
    await store.create(benchBindings('User:bench'))
    await store.close()
  }
  const broker = await startBroker({ config })
  try {
    const port = broker.listeners.find((l) => l.name === 'SASL_PLAINTEXT').port
    const kcat = ['-P', '-b', `127.0.0.1:${port}`, '-t', TOPIC, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN',
      '-X', 'sasl.username=bench', '-X', 'sasl.password=bench-secret', '-X', 'linger.ms=5', '-X', 'batch.num.messages=1000', '-X', 'acks=1']
    await run('kcat', kcat, 'warm-up\n')
    const start = performance.now()
    await run('kcat', kcat, payload)
    const seconds = (performance.now() - start) / 1000
    return (RECORDS * SIZE) / seconds / 1e6
  } finally {
    await broker.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const decisions = await decisionsPerSecond()
const line = 'x'.repeat(SIZE - 1) + '\n'
const payload = line.repeat(RECORDS)
const pairs = []
for (let i = 0; i < repeats; i++) {
  const off = await produceRun(false, payload)
  const on = await produceRun(true, payload)
  pairs.push({ off, on, ratio: on / off })
}
const sorted = [...pairs].sort((a, b) => a.ratio - b.ratio)
const median = sorted[Math.floor(sorted.length / 2)]
console.log(`## Authorization cost (${new Date().toISOString().slice(0, 10)}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`)
console.log('')
console.log(`StandardAuthorizer, ${ACLS} ACLs: ${(decisions.perSecond / 1e6).toFixed(2)} M decisions/s (${decisions.microseconds.toFixed(2)} µs each)`)
console.log('')
console.log(`| pair | produce MB/s, no authorizer | produce MB/s, ${ACLS} ACLs | ratio |`)
console.log('|---|---|---|---|')
pairs.forEach((p, i) => console.log(`| ${i + 1} | ${p.off.toFixed(1)} | ${p.on.toFixed(1)} | ${p.ratio.toFixed(3)} |`))
console.log('')
console.log(`Median ratio: ${median.ratio.toFixed(3)} (${RECORDS} records of ${SIZE} B over SASL_PLAINTEXT/PLAIN, kcat, acks=1)`)

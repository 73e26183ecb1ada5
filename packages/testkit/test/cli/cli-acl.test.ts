// brook acl create|list|delete against a broker running Kafka's StandardAuthorizer: alice
// (SASL PLAIN, through kafkajs) is refused a produce until `brook acl create` grants WRITE, and
// refused again once `brook acl delete` takes it away; bad flags exit 2, a refused create exits 1.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import kafkajs from 'kafkajs'
import { makeTestCerts, PLAIN_USERS, startSecureTestBroker, tempDir, type SecureTestBroker, type TestCerts } from '@brook/testkit'
import { brook, brookJson, brookOk } from './brook.js'

const { Kafka, logLevel } = kafkajs

let certs: TestCerts
let broker: SecureTestBroker

before(async () => {
  certs = await makeTestCerts()
  broker = await startSecureTestBroker(certs, {
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:ANONYMOUS'
  })
})
after(async () => {
  await broker?.close()
  await certs?.cleanup()
})

interface Row { principal: string, host: string, resourceType: string, resourceName: string, patternType: string, operation: string, permission: string }

/** Produces one record as alice; resolves with the error text, or 'ok'. */
async function produceAsAlice (topic: string): Promise<string> {
  const kafka = new Kafka({
    clientId: 'brook-cli-acl', logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 100 },
    brokers: [broker.bootstrapOf('SASL_PLAINTEXT')], sasl: { mechanism: 'plain', username: 'alice', password: PLAIN_USERS.alice }
  })
  const producer = kafka.producer()
  await producer.connect()
  try {
    await producer.send({ topic, messages: [{ value: 'v' }] })
    return 'ok'
  } catch (err) {
    const e = err as { type?: string, message?: string, originalError?: { type?: string } }
    return `${e.type ?? ''} ${e.originalError?.type ?? ''} ${e.message ?? ''}`
  } finally {
    await producer.disconnect()
  }
}

test('an ACL created with brook lets alice produce; brook acl delete takes it away', { timeout: 150_000 }, async () => {
  const b = ['-b', broker.bootstrapOf('PLAINTEXT')]
  await brookOk(['topic', 'create', 'cli-acl-orders', '-p', '1', ...b])
  assert.match(await produceAsAlice('cli-acl-orders'), /TOPIC_AUTHORIZATION_FAILED|Topic authorization failed/i)

  const created = await brookJson<Row[]>(['acl', 'create', '--allow-principal', 'alice', '--operation', 'write', '--operation', 'describe',
    '--topic', 'cli-acl-', '--resource-pattern-type', 'prefixed', ...b])
  assert.deepEqual(created.map((r) => `${r.principal} ${r.permission} ${r.operation} ${r.resourceType}:${r.patternType}:${r.resourceName} ${r.host}`), [
    'User:alice ALLOW DESCRIBE TOPIC:PREFIXED:cli-acl- *',
    'User:alice ALLOW WRITE TOPIC:PREFIXED:cli-acl- *'
  ])
  assert.equal(await produceAsAlice('cli-acl-orders'), 'ok')

  const table = await brookOk(['acl', 'list', '--topic', 'cli-acl-orders', '--resource-pattern-type', 'match', ...b])
  assert.match(table.out, /^PRINCIPAL\s+HOST\s+RESOURCE-TYPE\s+RESOURCE-NAME\s+PATTERN\s+OPERATION\s+PERMISSION$/m)
  assert.match(table.out, /^User:alice\s+\*\s+TOPIC\s+cli-acl-\s+PREFIXED\s+WRITE\s+ALLOW$/m)
  assert.deepEqual((await brookJson<Row[]>(['acl', 'list', '--topic', 'cli-acl-orders', ...b])), [], 'no literal binding on the name itself')

  const deleted = await brookJson<Row[]>(['acl', 'delete', '--allow-principal', 'User:alice', '--operation', 'write', '--topic', 'cli-acl-', ...b])
  assert.deepEqual(deleted.map((r) => `${r.operation} ${r.resourceName}`), ['WRITE cli-acl-'])
  assert.deepEqual((await brookJson<Row[]>(['acl', 'list', '--allow-principal', 'alice', ...b])).map((r) => r.operation), ['DESCRIBE'])
  assert.match(await produceAsAlice('cli-acl-orders'), /TOPIC_AUTHORIZATION_FAILED|Topic authorization failed/i)
})

test('brook acl: usage errors exit 2, a refused create exits 1', { timeout: 90_000 }, async () => {
  const b = ['-b', broker.bootstrapOf('PLAINTEXT')]
  const noPrincipal = await brook(['acl', 'create', '--operation', 'read', '--topic', 't', ...b])
  assert.equal(noPrincipal.code, 2)
  assert.match(noPrincipal.stderr, /--allow-principal or --deny-principal/)
  const badOp = await brook(['acl', 'create', '--allow-principal', 'alice', '--operation', 'fly', '--topic', 't', ...b])
  assert.equal(badOp.code, 2)
  assert.match(badOp.stderr, /unknown --operation fly/)
  const deleteAll = await brook(['acl', 'delete', ...b])
  assert.equal(deleteAll.code, 2)

  const dir = await tempDir('brook-cli-acl-')
  try {
    const file = join(dir.path, 'alice.properties')
    await writeFile(file, [`bootstrap.servers=${broker.bootstrapOf('SASL_PLAINTEXT')}`, 'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanism=PLAIN', 'sasl.username=alice', `sasl.password=${PLAIN_USERS.alice}`].join('\n') + '\n')
    const refused = await brook(['acl', 'create', '--allow-principal', 'alice', '--operation', 'all', '--cluster', '--command-config', file])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /^brook: CLUSTER_AUTHORIZATION_FAILED \(31\)/)
  } finally {
    await dir.cleanup()
  }
})

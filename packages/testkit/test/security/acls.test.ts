// ACLs with real clients against one broker running Kafka's StandardAuthorizer. The PLAINTEXT
// listener's principal (User:ANONYMOUS) and bob are super users: the admin side of every test.
// alice (PLAIN), scram256 and scram512 (SCRAM) start with no rights and are granted some through
// kafkajs' admin createAcls, then refused and allowed as Kafka does, in kafkajs, kcat and
// confluent-kafka-python.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import {
  fixturePath, makeTestCerts, PLAIN_USERS, runKcat, runPython, SCRAM_USERS, startSecureTestBroker, type SecureTestBroker, type TestCerts
} from '@brook/testkit'

const { Kafka, logLevel, AclResourceTypes: R, AclOperationTypes: O, AclPermissionTypes: P, ResourcePatternTypes: PT } = kafkajs
type KafkaConfig = ConstructorParameters<typeof Kafka>[0]
type AclEntry = kafkajs.AclEntry

const ACL_BROKER_CONFIG = {
  'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'super.users': 'User:ANONYMOUS;User:bob'
}

let certs: TestCerts
let broker: SecureTestBroker

before(async () => {
  certs = await makeTestCerts()
  broker = await startSecureTestBroker(certs, ACL_BROKER_CONFIG)
})

after(async () => {
  await broker?.close()
  await certs?.cleanup()
})

function kafka (config: Omit<KafkaConfig, 'clientId' | 'logLevel'>): InstanceType<typeof Kafka> {
  return new Kafka({ clientId: 'brook-acls', logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 100 }, ...config })
}

const admin = (): InstanceType<typeof Kafka> => kafka({ brokers: [broker.bootstrapOf('PLAINTEXT')] })
const asPlain = (user: keyof typeof PLAIN_USERS): InstanceType<typeof Kafka> =>
  kafka({ brokers: [broker.bootstrapOf('SASL_PLAINTEXT')], sasl: { mechanism: 'plain', username: user, password: PLAIN_USERS[user] } })

function acl (over: Partial<AclEntry> & Pick<AclEntry, 'principal' | 'operation' | 'resourceName'>): AclEntry {
  return { resourceType: R.TOPIC, resourcePatternType: PT.LITERAL, host: '*', permissionType: P.ALLOW, ...over }
}

async function withAdmin<T> (client: InstanceType<typeof Kafka>, run: (a: ReturnType<InstanceType<typeof Kafka>['admin']>) => Promise<T>): Promise<T> {
  const a = client.admin()
  await a.connect()
  try {
    return await run(a)
  } finally {
    await a.disconnect()
  }
}

async function grant (...entries: AclEntry[]): Promise<void> {
  await withAdmin(admin(), async (a) => { assert.equal(await a.createAcls({ acl: entries }), true) })
}

async function createTopics (...topics: string[]): Promise<void> {
  await withAdmin(admin(), async (a) => { await a.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })) }) })
}

/** The error a promise rejects with, as text (kafkajs wraps the broker's error in its own). */
async function failure (p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    const e = err as { type?: string, message?: string, originalError?: { type?: string }, errors?: Array<{ type?: string }> }
    return `${e.type ?? ''} ${e.originalError?.type ?? ''} ${(e.errors ?? []).map((x) => x.type ?? '').join(' ')} ${e.message ?? ''}`
  }
  return 'no error'
}

async function sendAs (client: InstanceType<typeof Kafka>, topic: string, values: string[], transactionalId?: string): Promise<void> {
  const producer = client.producer(transactionalId === undefined ? {} : { transactionalId, idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  try {
    if (transactionalId === undefined) {
      await producer.send({ topic, messages: values.map((value) => ({ value })) })
      return
    }
    const txn = await producer.transaction()
    await txn.send({ topic, messages: values.map((value) => ({ value })) })
    await txn.commit()
  } finally {
    await producer.disconnect()
  }
}

/** Consumes `count` messages with the group, or resolves with the error the consumer crashed on. */
async function consumeAs (client: InstanceType<typeof Kafka>, topic: string, groupId: string, count: number): Promise<string[] | Error> {
  const consumer = client.consumer({ groupId, retry: { retries: 0 } })
  try {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const got: string[] = []
    return await new Promise<string[] | Error>((resolve) => {
      consumer.on(consumer.events.CRASH, (event) => resolve(event.payload.error))
      consumer.run({
        eachMessage: async ({ message }) => {
          got.push(message.value?.toString() ?? '')
          if (got.length === count) resolve(got)
        }
      }).catch((err: Error) => resolve(err))
    })
  } finally {
    await consumer.disconnect()
  }
}

test('kafkajs admin: createAcls, describeAcls with filters, deleteAcls', { timeout: 60_000 }, async () => {
  await withAdmin(admin(), async (a) => {
    assert.equal(await a.createAcls({
      acl: [
        acl({ principal: 'User:dora', operation: O.WRITE, resourceName: 'audit.', resourcePatternType: PT.PREFIXED }),
        acl({ principal: 'User:dora', operation: O.READ, resourceName: 'audit.secret', permissionType: P.DENY }),
        acl({ principal: 'User:*', operation: O.DESCRIBE, resourceName: 'audit-group', resourceType: R.GROUP })
      ]
    }), true)
    const everything = { resourceType: R.ANY, resourcePatternType: PT.ANY, operation: O.ANY, permissionType: P.ANY }
    const all = await a.describeAcls({ ...everything, principal: undefined })
    const dora = all.resources.filter((r) => r.acls.some((e) => e.principal === 'User:dora' || e.principal === 'User:*'))
    assert.equal(dora.flatMap((r) => r.acls).length, 3, JSON.stringify(all.resources))

    // MATCH: every pattern that applies to the name (the literal and the prefix).
    const matching = await a.describeAcls({ resourceType: R.TOPIC, resourceName: 'audit.secret', resourcePatternType: PT.MATCH, operation: O.ANY, permissionType: P.ANY })
    assert.deepEqual(matching.resources.map((r) => `${r.resourcePatternType}:${r.resourceName}`).sort(), [`${PT.LITERAL}:audit.secret`, `${PT.PREFIXED}:audit.`])
    const byPrincipal = await a.describeAcls({ ...everything, principal: 'User:*' })
    assert.deepEqual(byPrincipal.resources.map((r) => r.resourceName), ['audit-group'])
    const denies = await a.describeAcls({ ...everything, permissionType: P.DENY })
    assert.deepEqual(denies.resources.map((r) => r.resourceName), ['audit.secret'])

    const deleted = await a.deleteAcls({ filters: [{ ...everything, resourceType: R.GROUP, resourceName: 'audit-group' }, { ...everything, principal: 'User:dora' }] })
    assert.equal(deleted.filterResponses[0]?.matchingAcls.length, 1)
    assert.equal(deleted.filterResponses[1]?.matchingAcls.length, 2)
    const after = await a.describeAcls({ ...everything, resourceName: 'audit.', resourceType: R.TOPIC })
    assert.deepEqual(after.resources, [])
  })
})

test('a non-admin may not manage ACLs (CLUSTER_AUTHORIZATION_FAILED)', { timeout: 60_000 }, async () => {
  const refused = await failure(withAdmin(asPlain('alice'), async (a) => await a.createAcls({
    acl: [acl({ principal: 'User:alice', operation: O.ALL, resourceName: '*' })]
  })))
  assert.match(refused, /CLUSTER_AUTHORIZATION_FAILED|Cluster authorization failed/i)
})

test('kafkajs: alice is refused, then allowed to produce to orders.* (PREFIXED) and to consume with group g1', { timeout: 90_000 }, async () => {
  await createTopics('orders.kjs', 'hidden.kjs')
  const alice = asPlain('alice')
  assert.match(await failure(sendAs(alice, 'orders.kjs', ['nope'])), /TOPIC_AUTHORIZATION_FAILED|Not authorized to access topics/i)
  await grant(acl({ principal: 'User:alice', operation: O.WRITE, resourceName: 'orders.', resourcePatternType: PT.PREFIXED }))
  const values = ['a', 'b', 'c']
  await sendAs(alice, 'orders.kjs', values)
  // WRITE on orders.* does not give READ, nor the group.
  await grant(acl({ principal: 'User:alice', operation: O.READ, resourceName: 'orders.kjs' }))
  // kafkajs reports a FindCoordinator refused with GROUP_AUTHORIZATION_FAILED as "Failed to find
  // group coordinator" (it tries every broker); with DESCRIBE alone, JoinGroup is refused.
  const noGroup = await consumeAs(alice, 'orders.kjs', 'g1', values.length)
  assert.ok(noGroup instanceof Error, `consumed without group rights: ${String(noGroup)}`)
  assert.match(noGroup.message, /Failed to find group coordinator|Not authorized to access group/i)
  await grant(acl({ principal: 'User:alice', operation: O.DESCRIBE, resourceName: 'g1', resourceType: R.GROUP }))
  const describeOnly = await consumeAs(alice, 'orders.kjs', 'g1', values.length)
  assert.ok(describeOnly instanceof Error, `consumed with DESCRIBE only: ${String(describeOnly)}`)
  assert.match(`${(describeOnly as { type?: string }).type ?? ''} ${describeOnly.message}`, /GROUP_AUTHORIZATION_FAILED|Not authorized to access group/i)
  await grant(acl({ principal: 'User:alice', operation: O.READ, resourceName: 'g1', resourceType: R.GROUP }))
  assert.deepEqual(await consumeAs(alice, 'orders.kjs', 'g1', values.length), values)
  // Metadata leaves out what alice may not describe.
  const topics = await withAdmin(alice, async (a) => await a.listTopics())
  assert.ok(topics.includes('orders.kjs') && !topics.includes('hidden.kjs'), JSON.stringify(topics))
})

test('kafkajs: a transactional id needs WRITE on it; DENY beats ALLOW', { timeout: 90_000 }, async () => {
  await createTopics('orders.txn')
  const alice = asPlain('alice')
  await grant(acl({ principal: 'User:alice', operation: O.WRITE, resourceName: 'orders.', resourcePatternType: PT.PREFIXED }))
  // Without DESCRIBE, FindCoordinator is refused, which kafkajs reports as not finding one.
  assert.match(await failure(sendAs(alice, 'orders.txn', ['t'], 'tx-alice-1')), /Failed to find group coordinator|TRANSACTIONAL_ID_AUTHORIZATION_FAILED/i)
  await grant(acl({ principal: 'User:alice', operation: O.DESCRIBE, resourceName: 'tx-alice-1', resourceType: R.TRANSACTIONAL_ID }))
  assert.match(await failure(sendAs(alice, 'orders.txn', ['t'], 'tx-alice-1')), /TRANSACTIONAL_ID_AUTHORIZATION_FAILED|Transactional Id authorization failed/i)
  await grant(acl({ principal: 'User:alice', operation: O.WRITE, resourceName: 'tx-alice-', resourcePatternType: PT.PREFIXED, resourceType: R.TRANSACTIONAL_ID }))
  await sendAs(alice, 'orders.txn', ['t1', 't2'], 'tx-alice-1')

  // Everyone (User:*) may do everything on wild.*, but alice may not write wild.denied.
  await createTopics('wild.ok', 'wild.denied')
  await grant(
    acl({ principal: 'User:*', operation: O.ALL, resourceName: 'wild.', resourcePatternType: PT.PREFIXED }),
    acl({ principal: 'User:alice', operation: O.WRITE, resourceName: 'wild.denied', permissionType: P.DENY })
  )
  assert.match(await failure(sendAs(alice, 'wild.denied', ['x'])), /TOPIC_AUTHORIZATION_FAILED|Not authorized to access topics/i)
  await sendAs(alice, 'wild.ok', ['allowed through User:*'])
})

test('kafkajs admin as alice: topics, offsets and configs answer as Kafka does', { timeout: 90_000 }, async () => {
  await createTopics('admin.kept')
  const alice = asPlain('alice')
  await withAdmin(alice, async (a) => {
    assert.match(await failure(a.createTopics({ topics: [{ topic: 'admin.new' }] })), /TOPIC_AUTHORIZATION_FAILED|Not authorized/i)
    assert.match(await failure(a.deleteTopics({ topics: ['admin.kept'], timeout: 5000 })), /TOPIC_AUTHORIZATION_FAILED|Not authorized/i)
    assert.match(await failure(a.fetchTopicOffsets('admin.kept')), /TOPIC_AUTHORIZATION_FAILED|Not authorized/i)
    assert.match(await failure(a.describeConfigs({ includeSynonyms: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: 'admin.kept' }] })),
      /TOPIC_AUTHORIZATION_FAILED|Not authorized/i)
  })
  await grant(
    acl({ principal: 'User:alice', operation: O.CREATE, resourceName: 'admin.', resourcePatternType: PT.PREFIXED }),
    // kafkajs reads the new topic's metadata after creating it.
    acl({ principal: 'User:alice', operation: O.DESCRIBE, resourceName: 'admin.new' }),
    acl({ principal: 'User:alice', operation: O.DELETE, resourceName: 'admin.kept' }),
    acl({ principal: 'User:alice', operation: O.DESCRIBE_CONFIGS, resourceName: 'admin.kept' })
  )
  await withAdmin(alice, async (a) => {
    assert.equal(await a.createTopics({ topics: [{ topic: 'admin.new' }] }), true)
    // DELETE implies DESCRIBE, which ListOffsets needs.
    const offsets = await a.fetchTopicOffsets('admin.kept')
    assert.deepEqual(offsets.map((o) => o.offset), ['0'])
    const configs = await a.describeConfigs({ includeSynonyms: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: 'admin.kept' }] })
    assert.equal(configs.resources[0]?.errorCode, 0)
    await a.deleteTopics({ topics: ['admin.kept'], timeout: 5000 })
  })
})

test('kafkajs: a super user needs no ACL', { timeout: 60_000 }, async () => {
  const bob = asPlain('bob')
  await withAdmin(bob, async (a) => { await a.createTopics({ topics: [{ topic: 'bob.private', numPartitions: 1 }] }) })
  await sendAs(bob, 'bob.private', ['mine'])
  assert.deepEqual(await consumeAs(bob, 'bob.private', 'bob-group', 1), ['mine'])
})

const x = (settings: Record<string, string>): string[] => Object.entries(settings).flatMap(([k, v]) => ['-X', `${k}=${v}`])

test('kcat: scram256 is refused, then allowed to produce and to read orders.kcat', { timeout: 90_000 }, async () => {
  await createTopics('orders.kcat')
  const sasl = x({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'SCRAM-SHA-256', 'sasl.username': 'scram256', 'sasl.password': SCRAM_USERS.scram256 })
  const bootstrap = broker.bootstrapOf('SASL_PLAINTEXT')
  const produce = async (): Promise<Awaited<ReturnType<typeof runKcat>>> =>
    await runKcat(['-P', '-b', bootstrap, '-t', 'orders.kcat', ...sasl], { input: 'k1\nk2\n', timeoutMs: 30_000 })
  const consume = async (): Promise<Awaited<ReturnType<typeof runKcat>>> =>
    await runKcat(['-C', '-b', bootstrap, '-t', 'orders.kcat', '-o', 'beginning', '-e', '-q', ...sasl], { timeoutMs: 30_000 })

  const refused = await produce()
  assert.match(refused.stderr, /authorization failed/i, refused.stderr)
  await grant(acl({ principal: 'User:scram256', operation: O.WRITE, resourceName: 'orders.', resourcePatternType: PT.PREFIXED }))
  const produced = await produce()
  assert.equal(produced.code, 0, produced.stderr)
  const unread = await consume()
  assert.match(unread.stderr, /authorization failed/i, unread.stderr)
  await grant(acl({ principal: 'User:scram256', operation: O.READ, resourceName: 'orders.kcat' }))
  const read = await consume()
  assert.equal(read.code, 0, read.stderr)
  assert.deepEqual(read.stdout.toString('utf8').trim().split('\n'), ['k1', 'k2'])
})

interface PythonOutcome { delivered?: number, values?: string[], error?: string, message?: string }

async function python (mode: 'produce' | 'consume', topic: string, group: string): Promise<PythonOutcome> {
  const security = {
    'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': 'scram512', 'sasl.password': SCRAM_USERS.scram512, 'ssl.ca.location': certs.caCert
  }
  const result = await runPython(fixturePath('confluent_acl_client.py'), [mode, broker.bootstrapOf('SASL_SSL'), topic, '5', group, JSON.stringify(security)], { timeoutMs: 60_000 })
  assert.ok(!result.timedOut, 'python timed out')
  const out = result.stdout.toString('utf8').trim()
  assert.ok(out !== '', `no output; stderr: ${result.stderr.slice(-2000)}`)
  return JSON.parse(out.split('\n').pop() as string) as PythonOutcome
}

test('confluent-kafka-python: scram512 over SASL_SSL is refused, then allowed, topic and group', { timeout: 150_000 }, async () => {
  await createTopics('orders.py')
  assert.equal((await python('produce', 'orders.py', 'py-group')).error, 'TOPIC_AUTHORIZATION_FAILED')
  await grant(acl({ principal: 'User:scram512', operation: O.WRITE, resourceName: 'orders.py' }))
  assert.equal((await python('produce', 'orders.py', 'py-group')).delivered, 5)
  await grant(acl({ principal: 'User:scram512', operation: O.READ, resourceName: 'orders.py' }))
  assert.equal((await python('consume', 'orders.py', 'py-group')).error, 'GROUP_AUTHORIZATION_FAILED')
  await grant(acl({ principal: 'User:scram512', operation: O.READ, resourceName: 'py-', resourceType: R.GROUP, resourcePatternType: PT.PREFIXED }))
  assert.deepEqual((await python('consume', 'orders.py', 'py-group')).values, ['v-0', 'v-1', 'v-2', 'v-3', 'v-4'])
})

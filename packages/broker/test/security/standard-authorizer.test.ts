// The StandardAuthorizer's decisions (Kafka's rules, security/authorizer/standard-authorizer.ts)
// over a real embedded AclStore, and the Describe/DeleteAcls filter semantics.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AclBinding, AclOperation as Op, AclPermission, FileAclStore, PatternType, ResourceType } from '@brook/metadata'
import { StandardAuthorizer, parseSuperUsers } from '../../src/security/authorizer/standard-authorizer.js'
import { filterMatches, invalidFilterReason } from '../../src/security/authorizer/acl-filter.js'
import type { Requester } from '../../src/security/authorizer/authorizer.js'

const alice: Requester = { principal: { type: 'User', name: 'alice' }, host: '10.0.0.1' }
const bob: Requester = { principal: { type: 'User', name: 'bob' }, host: '10.0.0.2' }

function binding (over: Partial<AclBinding>): AclBinding {
  return {
    resourceType: ResourceType.TOPIC,
    resourceName: 'orders',
    patternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.READ,
    permissionType: AclPermission.ALLOW,
    ...over
  }
}

async function withAuthorizer (bindings: AclBinding[], settings: { superUsers?: string, allowEveryone?: boolean },
  run: (authorizer: StandardAuthorizer, store: FileAclStore) => Promise<void> | void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'brook-authorizer-'))
  const store = await FileAclStore.open(dir)
  await store.create(bindings)
  const authorizer = new StandardAuthorizer(store, { superUsers: parseSuperUsers(settings.superUsers ?? ''), allowEveryoneIfNoAclFound: settings.allowEveryone ?? false })
  try {
    await run(authorizer, store)
  } finally {
    authorizer.close()
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
}

const can = (a: StandardAuthorizer, who: Requester, operation: number, resourceName: string, resourceType: number = ResourceType.TOPIC): boolean =>
  a.authorize(who, [{ resourceType, resourceName, operation }])[0] === true

test('literal and prefixed patterns, the * resource and the User:* principal', { timeout: 10_000 }, async () => {
  await withAuthorizer([
    binding({ resourceName: 'orders' }),
    binding({ resourceName: 'logs.', patternType: PatternType.PREFIXED, operation: Op.WRITE }),
    binding({ resourceName: '*', principal: 'User:*', operation: Op.DESCRIBE, resourceType: ResourceType.GROUP })
  ], {}, (a) => {
    assert.equal(can(a, alice, Op.READ, 'orders'), true)
    assert.equal(can(a, alice, Op.READ, 'orders2'), false, 'a literal names one topic')
    assert.equal(can(a, alice, Op.WRITE, 'logs.app'), true)
    assert.equal(can(a, alice, Op.WRITE, 'logs'), false, 'the prefix is logs., not logs')
    assert.equal(can(a, bob, Op.READ, 'orders'), false)
    assert.equal(can(a, bob, Op.DESCRIBE, 'any-group', ResourceType.GROUP), true)
    assert.equal(can(a, bob, Op.READ, 'any-group', ResourceType.GROUP), false)
  })
})

test('DENY wins over ALLOW, ALL covers every operation, and allows imply DESCRIBE', { timeout: 10_000 }, async () => {
  await withAuthorizer([
    binding({ resourceName: '*', operation: Op.ALL }),
    binding({ resourceName: 'secret', permissionType: AclPermission.DENY, operation: Op.READ }),
    binding({ resourceName: 'conf', principal: 'User:bob', operation: Op.ALTER_CONFIGS }),
    binding({ resourceName: 'w', principal: 'User:bob', operation: Op.WRITE }),
    binding({ resourceName: 'hidden', principal: 'User:bob', operation: Op.WRITE }),
    binding({ resourceName: 'hidden', principal: 'User:bob', operation: Op.DESCRIBE, permissionType: AclPermission.DENY })
  ], {}, (a) => {
    assert.equal(can(a, alice, Op.DELETE, 'anything'), true)
    assert.equal(can(a, alice, Op.READ, 'secret'), false)
    assert.equal(can(a, alice, Op.WRITE, 'secret'), true, 'the deny names READ only')
    assert.equal(can(a, bob, Op.DESCRIBE_CONFIGS, 'conf'), true)
    assert.equal(can(a, bob, Op.DESCRIBE, 'conf'), false)
    assert.equal(can(a, bob, Op.DESCRIBE, 'w'), true, 'WRITE implies DESCRIBE')
    assert.equal(can(a, bob, Op.DESCRIBE, 'hidden'), false, 'an implied allow loses to an explicit deny')
  })
})

test('host matching', { timeout: 10_000 }, async () => {
  await withAuthorizer([binding({ host: '10.0.0.1' })], {}, (a) => {
    assert.equal(can(a, alice, Op.READ, 'orders'), true)
    assert.equal(can(a, { ...alice, host: '10.0.0.9' }, Op.READ, 'orders'), false)
  })
})

test('super users, allow.everyone.if.no.acl.found, and changes applied as the store changes', { timeout: 10_000 }, async () => {
  await withAuthorizer([binding({ resourceName: 'guarded', principal: 'User:carol' })], { superUsers: 'User:bob; User:admin', allowEveryone: true }, async (a, store) => {
    assert.equal(can(a, bob, Op.ALTER, 'guarded'), true, 'super user')
    assert.equal(can(a, alice, Op.READ, 'guarded'), false, 'an ACL exists for the topic')
    assert.equal(can(a, alice, Op.READ, 'open'), true, 'no ACL matches the topic')
    await store.create([binding({ resourceName: 'open', principal: 'User:dave' })])
    assert.equal(can(a, alice, Op.READ, 'open'), false, 'now one does')
    await store.remove([binding({ resourceName: 'open', principal: 'User:dave' })])
    assert.equal(can(a, alice, Op.READ, 'open'), true)
  })
})

test('authorizeAny: some topic allowed, unless a deny covers the whole pattern', { timeout: 10_000 }, async () => {
  await withAuthorizer([
    binding({ resourceName: 'a.', patternType: PatternType.PREFIXED, operation: Op.WRITE }),
    binding({ resourceName: 'b', principal: 'User:bob', operation: Op.WRITE }),
    binding({ resourceName: 'b', principal: 'User:bob', operation: Op.WRITE, permissionType: AclPermission.DENY })
  ], {}, (a) => {
    assert.equal(a.authorizeAny(alice, ResourceType.TOPIC, Op.WRITE), true)
    assert.equal(a.authorizeAny(alice, ResourceType.TOPIC, Op.DELETE), false)
    assert.equal(a.authorizeAny(bob, ResourceType.TOPIC, Op.WRITE), false)
  })
})

test('filters: ANY fields, MATCH patterns, UNKNOWN refused', { timeout: 10_000 }, () => {
  const prefixed = binding({ resourceName: 'ord', patternType: PatternType.PREFIXED })
  const literal = binding({ resourceName: 'orders' })
  const wildcard = binding({ resourceName: '*' })
  const other = binding({ resourceName: 'other' })
  const any = { resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: Op.ANY, permissionType: AclPermission.ANY }
  assert.ok([prefixed, literal, wildcard, other].every((b) => filterMatches(any, b)))
  const match = { ...any, resourceType: ResourceType.TOPIC, resourceName: 'orders', patternType: PatternType.MATCH }
  assert.deepEqual([prefixed, literal, wildcard, other].filter((b) => filterMatches(match, b)), [prefixed, literal, wildcard])
  const exact = { ...any, resourceName: 'orders', patternType: PatternType.LITERAL }
  assert.deepEqual([prefixed, literal, wildcard, other].filter((b) => filterMatches(exact, b)), [literal])
  assert.equal(filterMatches({ ...any, principal: 'User:bob' }, literal), false)
  assert.notEqual(invalidFilterReason({ ...any, operation: Op.UNKNOWN }), null)
  assert.equal(invalidFilterReason(any), null)
})

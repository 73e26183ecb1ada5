import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TOPICS_FILE, TopicStore } from '../../src/cluster/topic-store.js'
import { loadMetaProperties } from '../../src/cluster/meta-properties.js'
import { ProducerIdAllocator, BLOCK_SIZE } from '../../src/txn/producer-ids.js'

async function withDir (fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'brook-cluster-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

test('the topic table round-trips and the last save wins', async () => withDir(async (dir) => {
  const store = new TopicStore(dir)
  assert.deepEqual(await store.load(), [])
  const a = { name: 'a', id: '11111111-2222-3333-4444-555555555555', partitions: 2, configs: { 'retention.ms': '10' } }
  const b = { name: 'b', id: '11111111-2222-3333-4444-666666666666', partitions: 1, configs: {} }
  await Promise.all([store.save([a]), store.save([a, b])])
  assert.deepEqual(await new TopicStore(dir).load(), [a, b])
}))

test('a corrupt topic table stops the load instead of forgetting topics', async () => withDir(async (dir) => {
  await writeFile(join(dir, TOPICS_FILE), '{"version":1,"topics":[{"name":')
  await assert.rejects(new TopicStore(dir).load(), /BROOK_BAD_TOPICS_FILE/)
}))

test('meta.properties is created once, reused, and guards the node id', async () => withDir(async (dir) => {
  const first = await loadMetaProperties([dir], null)
  assert.equal(first.nodeId, 1)
  assert.match(first.clusterId, /^[A-Za-z0-9_-]{22}$/)
  const text = await readFile(join(dir, 'meta.properties'), 'utf8')
  assert.match(text, new RegExp(`cluster.id=${first.clusterId}`))
  assert.deepEqual(await loadMetaProperties([dir], 1), first)
  await assert.rejects(loadMetaProperties([dir], 2), /BROOK_NODE_ID_MISMATCH/)
}))

test('producer ids are unique across a restart', async () => withDir(async (dir) => {
  const before = await ProducerIdAllocator.open(dir)
  const ids = await Promise.all([before.allocate(), before.allocate(), before.allocate()])
  assert.deepEqual(ids, [0, 1, 2])
  const after = await ProducerIdAllocator.open(dir)
  assert.equal(await after.allocate(), BLOCK_SIZE)
}))

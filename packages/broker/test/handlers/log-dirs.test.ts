// DescribeLogDirs / AlterReplicaLogDirs over a real socket, with two log dirs: sizes per
// partition, a partition moved between the dirs while it is written to, and the move surviving
// a restart.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { alterReplicaLogDirsApi, createTopicsApi, describeLogDirsApi, type DescribeLogDirsResponse, ErrorCode, fetchApi, produceApi } from '@brook/protocol'
import { startBroker } from '../../src/broker.js'
import { RawClient } from '../helpers/raw-client.js'
import { batchOf, fetchBody, fetchedValues, produceBody } from '../helpers/records.js'

function dirOf (response: DescribeLogDirsResponse, topic: string, partition: number): string | undefined {
  return response.results.find((r) => r.topics.some((t) => t.name === topic && t.partitions.some((p) => p.partitionIndex === partition)))?.logDir
}

test('describe sizes per dir; move a partition to the other dir and keep reading and writing it', { timeout: 30_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'brook-logdirs-'))
  const dirs = [join(root, 'a'), join(root, 'b')]
  const config = { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dirs.join(',') }
  let broker = await startBroker({ config })
  let client = await RawClient.connect(broker.bootstrap)
  try {
    await client.request(createTopicsApi, 7, { topics: [{ name: 'moving', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 })
    await client.request(produceApi, 9, produceBody('moving', await batchOf(['one', 'two'])))

    const before = await client.request(describeLogDirsApi, 4, { topics: null })
    assert.deepEqual(before.results.map((r) => r.logDir).sort(), [...dirs].sort())
    for (const r of before.results) {
      assert.equal(r.errorCode, ErrorCode.NONE)
      assert.ok((r.totalBytes ?? -1n) > 0n && (r.usableBytes ?? -1n) > 0n, 'v4 carries the file system sizes')
    }
    const from = dirOf(before, 'moving', 0)
    assert.ok(from !== undefined)
    const to = dirs.find((d) => d !== from) as string
    const size = before.results.flatMap((r) => r.topics).find((t) => t.name === 'moving')?.partitions.find((p) => p.partitionIndex === 0)
    assert.ok((size?.partitionSize ?? 0n) > 0n)
    assert.equal(size?.offsetLag, 0n)
    assert.equal(size?.isFutureKey, false)

    // Produce while the move runs: the append waits for the move and lands in the new dir.
    const moving = client.request(alterReplicaLogDirsApi, 2, { dirs: [{ path: to, topics: [{ name: 'moving', partitions: [0] }] }] })
    const writing = client.request(produceApi, 9, produceBody('moving', await batchOf(['three'])))
    const moved = await moving
    assert.deepEqual(moved.results, [{ topicName: 'moving', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] }])
    assert.equal((await writing).responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.NONE)

    const after = await client.request(describeLogDirsApi, 1, { topics: [{ topic: 'moving', partitions: [0] }] })
    assert.equal(dirOf(after, 'moving', 0), to)
    assert.ok((await readdir(to)).includes('moving-0'))
    assert.ok(!(await readdir(from)).includes('moving-0'), 'the old copy is gone')
    assert.deepEqual((await fetchedValues(await client.request(fetchApi, 12, fetchBody('moving', 0n)))).map(([, v]) => v), ['one', 'two', 'three'])

    // Errors: a dir that is not configured, a partition that does not exist.
    const bad = await client.request(alterReplicaLogDirsApi, 1, {
      dirs: [
        { path: join(root, 'elsewhere'), topics: [{ name: 'moving', partitions: [1] }] },
        { path: from, topics: [{ name: 'nothing-here', partitions: [0] }] }
      ]
    })
    assert.deepEqual(bad.results.map((t) => [t.topicName, t.partitions[0]?.errorCode]), [
      ['moving', ErrorCode.LOG_DIR_NOT_FOUND],
      ['nothing-here', ErrorCode.REPLICA_NOT_AVAILABLE]
    ])

    // After a restart the partition is found in its new dir, with every record.
    client.close()
    await broker.close()
    broker = await startBroker({ config })
    client = await RawClient.connect(broker.bootstrap)
    const reloaded = await client.request(describeLogDirsApi, 4, { topics: null })
    assert.equal(dirOf(reloaded, 'moving', 0), to)
    assert.deepEqual((await fetchedValues(await client.request(fetchApi, 12, fetchBody('moving', 0n)))).map(([, v]) => v), ['one', 'two', 'three'])
  } finally {
    client.close()
    await broker.close()
    await rm(root, { recursive: true, force: true })
  }
})

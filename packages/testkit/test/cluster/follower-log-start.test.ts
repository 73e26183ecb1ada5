// Followers follow the leader's log start: records deleted on the leader (DeleteRecords) are
// deleted on the followers too, from the log_start_offset of the leader's Fetch responses, so
// that they stay deleted when a follower becomes leader.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import kafkajs from 'kafkajs'
import { deleteRecordsApi, ErrorCode } from '@brook/protocol'
import { partitionState, requestTo, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'follower-log-start'

/**
 * The log start offset a broker last checkpointed for partition 0 of the topic, -1 when none.
 * The file: int32 length, uint32 crc, int16 version, int32 count, then per entry int16 topic
 * length, topic, int32 partition, int64 offset.
 */
async function checkpointedLogStart (dataDir: string): Promise<number> {
  let buf: Buffer
  try {
    buf = await readFile(join(dataDir, 'log-start-offset-checkpoint'))
  } catch {
    // Not written yet.
    return -1
  }
  let pos = 10
  const count = buf.readInt32BE(pos)
  pos += 4
  for (let i = 0; i < count; i++) {
    const length = buf.readInt16BE(pos)
    const topic = buf.toString('utf8', pos + 2, pos + 2 + length)
    pos += 2 + length
    const partition = buf.readInt32BE(pos)
    const offset = Number(buf.readBigInt64BE(pos + 4))
    pos += 12
    if (topic === TOPIC && partition === 0) return offset
  }
  return -1
}

test('DeleteRecords on the leader moves the followers\' log start; after failover the records stay deleted', { timeout: 90_000 }, async () => {
  const cluster = await startTestCluster({ overrides: { ...CLUSTER_SETTINGS, 'log.flush.start.offset.checkpoint.interval.ms': '200' } })
  try {
    const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 500 } })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }] })
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })
    const producer = kafka.producer()
    await producer.connect()
    for (let i = 0; i < 30; i++) await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `m-${i}` }] })
    await producer.disconnect()

    const deleted = await requestTo(cluster.members.get(1)?.port ?? 0, deleteRecordsApi, 1, { timeoutMs: 5000, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, offset: 20n }] }] })
    assert.deepEqual(deleted.topics[0]?.partitions[0], { partitionIndex: 0, errorCode: ErrorCode.NONE, lowWatermark: 20n })
    for (const id of [2, 3]) {
      const dataDir = cluster.members.get(id)?.dataDir ?? ''
      await waitFor(async () => await checkpointedLogStart(dataDir) === 20, 20_000, { message: `follower ${id} moved its log start to 20` })
    }

    await cluster.kill9(1)
    await waitFor(async () => {
      const state = await partitionState(cluster, TOPIC)
      return state !== null && state.leader > 1
    }, 20_000, { message: 'a new leader' })
    await waitFor(async () => {
      const offsets = await admin.fetchTopicOffsets(TOPIC)
      return offsets[0]?.low === '20' && offsets[0]?.high === '30'
    }, 20_000, { message: 'the new leader answers log start 20, log end 30' })

    const consumer = kafka.consumer({ groupId: 'follower-log-start-reader' })
    const first: number[] = []
    await consumer.connect()
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => { first.push(Number(message.offset)) } })
    await waitFor(() => first.length >= 10, 30_000, { message: 'the rest read from the new leader' })
    await consumer.disconnect()
    assert.equal(Math.min(...first), 20, 'nothing below the deleted offset is served')
    await admin.disconnect()
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})

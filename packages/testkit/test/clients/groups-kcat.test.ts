// kcat -G (librdkafka's balanced consumer): a group member reads a topic to its end, its offsets
// are committed to the group, and the next run of the same group resumes after them; a second
// group still reads everything.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { assertSucceeded, runKcat, startTestBroker, type KcatMessage } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const CONFIG = { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000', 'offsets.topic.num.partitions': '5' }

async function kcatGroup (bootstrap: string, group: string, topic: string): Promise<KcatMessage[]> {
  // Without -o, a -G member starts from the group's committed offsets (earliest when none).
  const result = assertSucceeded(`kcat -G ${group}`, await runKcat(
    ['-b', bootstrap, '-G', group, '-e', '-J', '-q', '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=6000', topic],
    { timeoutMs: 60_000 }
  ))
  return result.stdout.toString('utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as KcatMessage)
}

test('kcat -G: reads to the end, commits, and the next run of the group resumes after the commits', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker(CONFIG)
  const kafka = new Kafka({ clientId: 'kcat-groups', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer()
  const topic = 'kcat-group-topic'
  try {
    await admin.connect()
    await producer.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: String(i) })) })

    const first = await kcatGroup(broker.bootstrap, 'kcat-group', topic)
    assert.deepEqual(first.map((m) => Number(m.payload)).sort((a, b) => a - b), Array.from({ length: 300 }, (_, i) => i))
    const [committed] = await admin.fetchOffsets({ groupId: 'kcat-group', topics: [topic] })
    const ends = await admin.fetchTopicOffsets(topic)
    assert.deepEqual(committed!.partitions.map((p) => [p.partition, p.offset]).sort(), ends.map((e) => [e.partition, e.high]).sort(),
      'kcat committed up to the end of every partition')

    await producer.send({ topic, acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: String(300 + i) })) })
    const second = await kcatGroup(broker.bootstrap, 'kcat-group', topic)
    assert.deepEqual(second.map((m) => Number(m.payload)).sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => 300 + i))

    const other = await kcatGroup(broker.bootstrap, 'kcat-other', topic)
    assert.equal(other.length, 330, 'another group reads everything')
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).sort()
    assert.deepEqual(groups, ['kcat-group', 'kcat-other'])
  } finally {
    await producer.disconnect()
    await admin.disconnect()
    await broker.close()
  }
})

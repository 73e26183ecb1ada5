// Consumer groups with confluent-kafka-python (Debian's python3-confluent-kafka, librdkafka 2.0):
// cooperative-sticky incremental rebalancing, and static membership (group.instance.id) where a
// restarted member takes its place back without a rebalance.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { assertSucceeded, fixturePath, runPython, startTestBroker } from '@brook/testkit'

type Event = ['assign' | 'revoke', number[]]
interface CoopReport {
  first: { events: Event[], consumed: number[], assignment: number[] }
  second: { events: Event[], consumed: number[], assignment: number[] }
}
interface StaticReport {
  before: { one: number[], two: number[], twoEvents: Event[] }
  after: { one: number[], two: number[], twoEvents: Event[] }
  againEvents: Event[]
}

const CONFIG = { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000', 'offsets.topic.num.partitions': '5' }

test('confluent-kafka-python: cooperative-sticky moves only the partitions that change owner', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker(CONFIG)
  try {
    const COUNT = 2000
    const run = assertSucceeded('groups_confluent.py coop', await runPython(fixturePath('groups_confluent.py'),
      ['coop', broker.bootstrap, 'coop-topic', 'coop-group', String(COUNT)], { timeoutMs: 100_000 }))
    const report = JSON.parse(run.stdout.toString('utf8')) as CoopReport
    const { first, second } = report
    assert.deepEqual(first.events[0], ['assign', [0, 1, 2, 3]])
    // Incremental: the first member gives up exactly what the second gets and keeps the rest
    // without ever revoking everything (an eager rebalance would revoke all 4 and reassign 2).
    const revoked = first.events.filter(([kind]) => kind === 'revoke').flatMap(([, ps]) => ps).sort()
    assert.equal(revoked.length, 2, JSON.stringify(first.events))
    assert.deepEqual(second.assignment, revoked)
    assert.deepEqual([...first.assignment, ...second.assignment].sort(), [0, 1, 2, 3])
    assert.ok(!first.events.some(([kind, ps]) => kind === 'revoke' && ps.length === 4))
    const all = new Set([...first.consumed, ...second.consumed])
    assert.equal(all.size, 2 * COUNT)
    assert.ok(second.consumed.length > 0 && first.consumed.some((id) => id >= COUNT), 'both members consumed after the split')
  } finally {
    await broker.close()
  }
})

test('confluent-kafka-python: a restarted static member (group.instance.id) gets its partitions back without a rebalance', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker(CONFIG)
  try {
    const run = assertSucceeded('groups_confluent.py static', await runPython(fixturePath('groups_confluent.py'),
      ['static', broker.bootstrap, 'static-topic', 'static-group'], { timeoutMs: 100_000 }))
    const report = JSON.parse(run.stdout.toString('utf8')) as StaticReport
    assert.deepEqual([...report.before.one, ...report.before.two].sort(), [0, 1, 2, 3])
    assert.deepEqual(report.after.one, report.before.one, 'same partitions for the same instance id')
    assert.deepEqual(report.after.two, report.before.two)
    assert.deepEqual(report.after.twoEvents, report.before.twoEvents, 'the other member saw no rebalance at all')
    assert.deepEqual(report.againEvents, [['assign', report.before.one]])
  } finally {
    await broker.close()
  }
})

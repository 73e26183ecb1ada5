// One librdkafka consumer (group.protocol=consumer) in its own process, so a test can kill it
// with SIGKILL. argv: bootstrap group topic. Prints one JSON line per event on stdout:
//   {"ev":"ready"} {"ev":"assign","ps":[..]} {"ev":"revoke","ps":[..]} {"ev":"msg","p":n,"v":"..."}
//   {"ev":"closed"}
// "revoke" is printed before the partitions are released, "assign" after they are taken.
// A line "leave" on stdin closes the consumer (commit, leave the group) and exits.
import { createInterface } from 'node:readline'
import { loadKafkaJavascript } from '@brook/testkit'

const [bootstrap, group, topic] = process.argv.slice(2) as [string, string, string]
const out = (o: Record<string, unknown>): void => { process.stdout.write(JSON.stringify(o) + '\n') }

const kafka = loadKafkaJavascript()
const consumer = new kafka.KafkaConsumer({
  'bootstrap.servers': bootstrap,
  'group.id': group,
  'group.protocol': 'consumer',
  'enable.auto.commit': true,
  'auto.commit.interval.ms': 100,
  'topic.metadata.refresh.interval.ms': 1000,
  rebalance_cb: true
}, { 'auto.offset.reset': 'earliest' })

consumer.on('rebalance', (err, assignment) => {
  const ps = assignment.filter((a) => a.topic === topic).map((a) => a.partition)
  if (err.code === kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) setImmediate(() => { out({ ev: 'assign', ps }) })
  else out({ ev: 'revoke', ps })
})
consumer.on('data', (m) => { out({ ev: 'msg', p: m.partition, v: m.value?.toString() ?? '' }) })
consumer.on('event.error', (err) => { out({ ev: 'error', code: err.code, message: err.message }) })
consumer.on('ready', () => {
  consumer.subscribe([topic])
  consumer.consume()
  out({ ev: 'ready' })
})
consumer.connect()

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'leave') return
  consumer.disconnect(() => {
    out({ ev: 'closed' })
    process.exit(0)
  })
})

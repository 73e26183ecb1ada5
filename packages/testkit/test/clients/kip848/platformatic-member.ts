// One @platformatic/kafka consumer (groupProtocol: 'consumer') in its own process, speaking the
// same stdout protocol as ./rdkafka-member.ts. Its assignment is read from the client after every
// heartbeat answer, so "assign"/"revoke" lines follow the client's own view.
import { createInterface } from 'node:readline'
import { Consumer, stringDeserializers } from '@platformatic/kafka'
import { ensurePromiseWithResolvers } from '@brook/testkit'

ensurePromiseWithResolvers()
const [bootstrap, group, topic] = process.argv.slice(2) as [string, string, string]
const out = (o: Record<string, unknown>): void => { process.stdout.write(JSON.stringify(o) + '\n') }

const consumer = new Consumer({
  clientId: 'kip848-platformatic',
  bootstrapBrokers: [bootstrap],
  groupId: group,
  groupProtocol: 'consumer',
  deserializers: stringDeserializers,
  retries: 10,
  retryDelay: 200
})

let owned = new Set<number>()
let closing = false
const report = (): void => {
  if (closing) return
  const now = new Set((consumer.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions))
  const revoked = [...owned].filter((p) => !now.has(p))
  const added = [...now].filter((p) => !owned.has(p))
  owned = now
  if (revoked.length > 0) out({ ev: 'revoke', ps: revoked })
  if (added.length > 0) out({ ev: 'assign', ps: added })
}
consumer.on('consumer:heartbeat:end', report)
consumer.on('consumer:group:rebalance', report)
setInterval(report, 20).unref()

const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: 100, maxWaitTime: 300 })
stream.on('data', (m) => { out({ ev: 'msg', p: m.partition, v: m.value }) })
stream.on('error', (err: Error) => { out({ ev: 'error', message: err.message }) })
out({ ev: 'ready' })

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'leave') return
  void (async () => {
    // Leaving gives every partition back (the leave heartbeat follows the close): say so first.
    if (owned.size > 0) out({ ev: 'revoke', ps: [...owned] })
    owned = new Set()
    closing = true
    await stream.close()
    await consumer.close()
    out({ ev: 'closed' })
    process.exit(0)
  })()
})

// The librdkafka side of the cluster-faults campaign through @confluentinc/kafka-javascript
// (librdkafka 2.15, built by scripts/install-librdkafka-client.sh), in this process: an idempotent
// acks=all producer writing "r-<n>" to partition n % partitions, at most 100 messages awaiting
// their delivery report. Debian's confluent-kafka-python links librdkafka 2.0.2, whose idempotent
// producer can stop on a fatal "rewound sequence number" error after a timeout (fixed in 2.3.0).
import { loadKafkaJavascript } from '@brook/testkit'

/** Starts producing; stop() flushes and resolves with what cluster-faults-rdkafka-producer.py reports. */
export async function startRdkafkaProducer (bootstrap, topic, partitions) {
  const { Producer } = loadKafkaJavascript()
  const producer = new Producer({
    'bootstrap.servers': bootstrap,
    'enable.idempotence': true,
    acks: 'all',
    'linger.ms': 5,
    'retry.backoff.ms': 100,
    'message.timeout.ms': 120_000,
    'request.timeout.ms': 5000,
    'socket.timeout.ms': 5000,
    'topic.metadata.refresh.interval.ms': 1000,
    dr_cb: true
  })
  const out = { acked: [], failed: 0, errors: [], produced: 0, unflushed: 0, fatal: null }
  producer.on('delivery-report', (err, report) => {
    if (err) {
      out.failed++
      if (out.errors.length < 10) out.errors.push(`${report.opaque}: ${err.message}`)
    } else {
      // Messages acknowledged implicitly by a later batch come without their offset (-1001).
      out.acked.push([report.partition, report.offset >= 0 ? report.offset : null, report.opaque])
    }
  })
  producer.on('event.error', (err) => {
    if (err.isFatal === true || /fatal/i.test(err.message)) out.fatal = err.message
  })
  await new Promise((resolve, reject) => {
    producer.connect({}, (err) => { if (err) reject(new Error(err.message)); else resolve() })
  })
  producer.setPollInterval(5)
  let stopping = false
  const loop = (async () => {
    while (!stopping && out.fatal === null) {
      if (out.produced - out.acked.length - out.failed < 100) {
        const n = out.produced
        try {
          // The value again as the opaque: delivery reports carry the opaque, not the payload.
          producer.produce(topic, n % partitions, Buffer.from(`r-${n}`), null, Date.now(), `r-${n}`)
          out.produced++
        } catch (err) {
          out.fatal = `produce: ${err.message}`
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  })()
  return {
    acked: () => out.acked.length,
    stop: async () => {
      stopping = true
      await loop
      await new Promise((resolve) => {
        producer.flush(150_000, (err) => {
          if (err) out.unflushed = out.produced - out.acked.length - out.failed
          resolve()
        })
      })
      await new Promise((resolve) => { producer.disconnect(() => resolve()) })
      return out
    }
  }
}

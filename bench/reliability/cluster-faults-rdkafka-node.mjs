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

/**
 * The transactional workload through librdkafka: transactions of one record per partition
 * ("t-<n * partitions + p>"), every fifth aborted, recorded in `txns` as the kafkajs loop does.
 * A commit or abort that fails with a retriable error is retried; one that needs an abort is
 * aborted (then the transaction counts as aborted); any other failure leaves the outcome unknown,
 * and the producer is made again (its initTransactions fences the old one).
 */
export async function runRdkafkaTxnProducer (bootstrap, topic, partitions, txns, stopping, elapsed) {
  const { Producer } = loadKafkaJavascript()
  const call = (fn) => new Promise((resolve, reject) => { fn((err) => { if (err) reject(err); else resolve() }) })
  const make = async () => {
    const producer = new Producer({
      'bootstrap.servers': bootstrap,
      'transactional.id': 'cluster-faults-txn-rdkafka',
      'enable.idempotence': true,
      acks: 'all',
      'linger.ms': 5,
      'retry.backoff.ms': 100,
      'request.timeout.ms': 5000,
      'socket.timeout.ms': 5000,
      'transaction.timeout.ms': 15_000,
      'topic.metadata.refresh.interval.ms': 1000
    })
    await call((cb) => { producer.connect({}, cb) })
    producer.setPollInterval(5)
    await call((cb) => { producer.initTransactions(30_000, cb) })
    return producer
  }
  const close = async (producer) => {
    await new Promise((resolve) => { producer.disconnect(() => resolve()) })
  }
  const note = (err) => {
    const kind = err.isFatal === true ? 'fatal' : err.isTxnRequiresAbort === true ? 'abortable' : err.isRetriable === true ? 'retriable' : 'other'
    const key = `${kind}: ${String(err.message).slice(0, 60)}`
    txns.errors.set(key, (txns.errors.get(key) ?? 0) + 1)
  }
  /** Ends the transaction; resolves with 'committed' | 'aborted' | 'unknown'. */
  const end = async (producer, commit) => {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        if (commit) await call((cb) => { producer.commitTransaction(30_000, cb) })
        else await call((cb) => { producer.abortTransaction(30_000, cb) })
        return commit ? 'committed' : 'aborted'
      } catch (err) {
        note(err)
        if (err.isTxnRequiresAbort === true && commit) {
          commit = false
          continue
        }
        if (err.isRetriable === true) continue
        return 'unknown'
      }
    }
    return 'unknown'
  }
  let producer = null
  for (let n = 0; !stopping(); n++) {
    const values = Array.from({ length: partitions }, (_, p) => ({ partition: p, value: `t-${n * partitions + p}` }))
    let begun = false
    try {
      if (producer === null) producer = await make()
      await call((cb) => { producer.beginTransaction(cb) })
      begun = true
      for (const v of values) producer.produce(topic, v.partition, Buffer.from(v.value), null, Date.now())
      const outcome = await end(producer, n % 5 !== 4)
      if (outcome === 'committed') txns.committed.push(values)
      else if (outcome === 'aborted') txns.aborted.push(values)
      else throw new Error('the transaction ended with an unknown outcome')
    } catch (err) {
      if (begun) {
        for (const v of values) v.error = `${elapsed()} ${err.message}`
        txns.unknown.push(values)
      }
      note(err)
      if (producer !== null) await close(producer)
      producer = null
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }
  if (producer !== null) await close(producer)
}

// The history checks of the cluster-faults campaign, Jepsen's Kafka checks over what the clients
// were told and what the cluster serves at the end:
// - lost: an acknowledged record is not in the final log;
// - wrong offset: an acknowledged record is in the log, but not at the partition and offset its
//   acknowledgement named (offsets reused for different records);
// - duplicated: a record of an idempotent producer is in the log more than once;
// - reordered: within one partition, one producer's records are not in the order it sent them;
// - changed after read: a consumer was served a record at an offset that holds another record (or
//   none) at the end, i.e. served, then truncated or overwritten;
// - commits backwards: a group's committed offset of a partition went down between two samples;
// - commits ahead: a committed offset past the partition's end.
// Each check gives its count and a few examples.

const EXAMPLES = 5

function check (name) {
  const examples = []
  let count = 0
  return {
    name,
    add (example) {
      count++
      if (examples.length < EXAMPLES) examples.push(example)
    },
    result: () => ({ name, ok: count === 0, count, examples })
  }
}

/** "k-17" -> { producer: 'k', seq: 17 }; null for anything else. */
function parseValue (value) {
  const m = /^([a-z]+)-(\d+)$/.exec(value ?? '')
  return m === null ? null : { producer: m[1], seq: Number(m[2]) }
}

/**
 * @param {object} h
 * @param {Array<{ name: string, acked: Array<{ partition: number, offset: number, value: string }> }>} h.producers
 * @param {Map<number, Array<{ offset: number, value: string }>>} h.log every partition's records, in offset order
 * @param {Array<{ partition: number, offset: number, value: string }>} h.consumed what the group's consumer was served
 * @param {Array<{ at: number, partition: number, offset: number }>} h.commits committed offsets sampled in time order
 * @returns {Array<{ name: string, ok: boolean, count: number, examples: string[] }>}
 */
export function checkHistory ({ producers, log, consumed, commits }) {
  const lost = check('no acknowledged record lost')
  const wrongOffset = check('acknowledged offsets hold their records')
  const duplicated = check('no duplicate from an idempotent producer')
  const reordered = check('order per partition kept')
  const changed = check('records served to the consumer stay at their offsets')
  const backwards = check('committed offsets never go backwards')
  const ahead = check('committed offsets never pass the log end')

  // Where each value is in the final log (all places, to see duplicates).
  const where = new Map()
  const byOffset = new Map()
  const ends = new Map()
  for (const [partition, records] of log) {
    const offsets = new Map()
    byOffset.set(partition, offsets)
    const last = records[records.length - 1]
    ends.set(partition, last === undefined ? 0 : last.offset + 1)
    const lastSeq = new Map()
    for (const r of records) {
      offsets.set(r.offset, r.value)
      const places = where.get(r.value) ?? []
      places.push({ partition, offset: r.offset })
      where.set(r.value, places)
      const parsed = parseValue(r.value)
      if (parsed === null) continue
      const previous = lastSeq.get(parsed.producer)
      if (previous !== undefined && parsed.seq < previous.seq) {
        reordered.add(`partition ${partition}: ${r.value} at offset ${r.offset} after ${parsed.producer}-${previous.seq} at offset ${previous.offset}`)
      }
      lastSeq.set(parsed.producer, { seq: parsed.seq, offset: r.offset })
    }
  }
  for (const [value, places] of where) {
    if (places.length > 1) {
      const acked = [...committed, ...unknown].flat().find((r) => r.value === value)
      duplicated.add(`${value} at ${places.map((p) => `${p.partition}/${p.offset}`).join(', ')}${acked?.offset === undefined ? '' : ` (acknowledged at ${acked.offset})`}`)
    }
  }
  let unknownOffsets = 0
  for (const producer of producers) {
    for (const a of producer.acked) {
      const places = where.get(a.value)
      if (places === undefined) {
        lost.add(`${producer.name}: ${a.value} acknowledged at ${a.partition}/${a.offset}`)
      } else if (a.offset === null || a.offset === undefined || a.offset < 0) {
        // Acknowledged without an offset: librdkafka reports messages implicitly acknowledged by a
        // later batch of the same producer that way; only their presence can be checked.
        unknownOffsets++
      } else if (!places.some((p) => p.partition === a.partition && p.offset === a.offset)) {
        wrongOffset.add(`${producer.name}: ${a.value} acknowledged at ${a.partition}/${a.offset}, found at ${places.map((p) => `${p.partition}/${p.offset}`).join(', ')} (${byOffset.get(a.partition)?.get(a.offset) ?? 'nothing'} there)`)
      }
    }
  }
  for (const c of consumed) {
    const now = byOffset.get(c.partition)?.get(c.offset)
    if (now !== c.value) changed.add(`${c.partition}/${c.offset} served as ${c.value}, holds ${now ?? 'nothing'} at the end`)
  }
  const lastCommit = new Map()
  for (const c of commits) {
    const previous = lastCommit.get(c.partition)
    if (previous !== undefined && c.offset < previous.offset) {
      backwards.add(`partition ${c.partition}: ${previous.offset} then ${c.offset} (${c.at - previous.at} ms later)`)
    }
    lastCommit.set(c.partition, c)
  }
  for (const [partition, c] of lastCommit) {
    const end = ends.get(partition) ?? 0
    if (c.offset > end) ahead.add(`partition ${partition}: committed ${c.offset}, log ends at ${end}`)
  }
  const results = [lost, wrongOffset, duplicated, reordered, changed, backwards, ahead].map((c) => c.result())
  const offsets = results[1]
  if (offsets !== undefined && unknownOffsets > 0) offsets.name += ` (${unknownOffsets} acknowledged without an offset, checked for presence only)`
  return results
}

/**
 * The transactional topic read read_committed at the end: every record of a committed transaction
 * visible once, no record of an aborted one, a transaction of unknown outcome all or nothing.
 * @param {object} t
 * @param {Array<Array<{ partition: number, value: string }>>} t.committed
 * @param {Array<Array<{ partition: number, value: string }>>} t.aborted
 * @param {Array<Array<{ partition: number, value: string }>>} t.unknown
 * @param {Array<{ partition: number, offset: number, value: string }>} t.visible
 * @param {Array<{ partition: number, offset: number, value: string }>} [t.inLog] the topic read read_uncommitted, to say where a missing record is
 */
export function checkTransactions ({ committed, aborted, unknown, visible, inLog = [] }) {
  const lost = check('committed transactions visible whole to read_committed')
  const abortedRead = check('no aborted record visible to read_committed')
  const torn = check('transactions of unknown outcome all or nothing')
  const duplicated = check('no transactional record visible twice')
  const seen = new Map()
  for (const v of visible) {
    const places = seen.get(v.value) ?? []
    places.push(v)
    seen.set(v.value, places)
  }
  for (const [value, places] of seen) {
    if (places.length > 1) duplicated.add(`${value} at ${places.map((p) => `${p.partition}/${p.offset}`).join(', ')}`)
  }
  const at = (r) => seen.get(r.value)?.find((v) => v.partition === r.partition)
  for (const txn of committed) {
    const missing = txn.filter((r) => at(r) === undefined)
    const where = (r) => {
      const found = inLog.filter((v) => v.value === r.value && v.partition === r.partition)
      const acked = r.offset === undefined ? '' : `, acknowledged at offset ${r.offset} (${r.at ?? '?'}) where the log holds ${inLog.find((v) => v.partition === r.partition && v.offset === r.offset)?.value ?? 'nothing'}`
      return (found.length === 0 ? 'absent from the log' : `in the log read_uncommitted at ${found.map((v) => v.offset).join(', ')}`) + acked
    }
    if (missing.length > 0) lost.add(`${missing.map((r) => `${r.value} (partition ${r.partition}, ${where(r)})`).join(', ')} of a committed transaction not visible`)
  }
  for (const txn of aborted) {
    for (const r of txn) {
      const v = at(r)
      if (v !== undefined) abortedRead.add(`${r.value} of an aborted transaction visible at ${v.partition}/${v.offset}`)
    }
  }
  for (const txn of unknown) {
    const present = txn.filter((r) => at(r) !== undefined).length
    if (present !== 0 && present !== txn.length) torn.add(`${present} of ${txn.length} visible: ${txn.map((r) => r.value).join(', ')}${txn[0]?.error === undefined ? '' : ` (failed: ${txn[0].error})`}`)
  }
  return [lost, abortedRead, torn, duplicated].map((c) => c.result())
}

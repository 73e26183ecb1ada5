// Redis Streams at a fixed rate, the way rdkbench's latency mode drives Kafka at linger 0: each
// producer connection sends one XADD per message (no pipelining of its own: a command goes out as
// soon as it is due), each stream has a reader blocked in XREAD BLOCK for the next entries, and
// the end-to-end latency is the time from XADD sent to entry read. The entry's value carries the
// send time and is padded to the message size.
//
// Usage: node bench/redis-streams-load.mjs --port P --rate R --producers N --seconds S [--size B]
// Prints one line: RESULT {"sent":..,"received":..,"p50_ms":..,"p99_ms":..,"max_ms":..}
import { connect } from 'node:net'
import { once } from 'node:events'

const args = process.argv.slice(2)
const arg = (name, fallback) => args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback
const port = arg('--port', 6379)
const rate = arg('--rate', 10_000)
const producers = arg('--producers', 1)
const seconds = arg('--seconds', 10)
const size = arg('--size', 100)

/** RESP command encoding. */
function command (...parts) {
  let out = `*${parts.length}\r\n`
  for (const p of parts) out += `$${Buffer.byteLength(p)}\r\n${p}\r\n`
  return out
}

/**
 * A minimal RESP reader: calls onReply for each complete top-level reply (arrays as nested JS
 * arrays, bulk strings as strings, null as null).
 */
function replyReader (onReply) {
  let buf = Buffer.alloc(0)
  const parse = (at) => {
    const eol = buf.indexOf('\r\n', at)
    if (eol < 0) return null
    const type = String.fromCharCode(buf[at])
    const line = buf.toString('latin1', at + 1, eol)
    const next = eol + 2
    if (type === '+' || type === ':') return { value: line, end: next }
    if (type === '-') throw new Error(`redis: ${line}`)
    if (type === '$') {
      const n = Number(line)
      if (n < 0) return { value: null, end: next }
      if (buf.length < next + n + 2) return null
      return { value: buf.toString('latin1', next, next + n), end: next + n + 2 }
    }
    if (type === '*') {
      const n = Number(line)
      if (n < 0) return { value: null, end: next }
      const items = []
      let pos = next
      for (let i = 0; i < n; i++) {
        const item = parse(pos)
        if (item === null) return null
        items.push(item.value)
        pos = item.end
      }
      return { value: items, end: pos }
    }
    throw new Error(`redis: unexpected reply type ${type}`)
  }
  return (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
    let at = 0
    for (;;) {
      const r = parse(at)
      if (r === null) break
      at = r.end
      onReply(r.value)
    }
    buf = buf.subarray(at)
  }
}

async function open () {
  const socket = connect(port, '127.0.0.1')
  socket.setNoDelay(true)
  await once(socket, 'connect')
  return socket
}

const latencies = []
let received = 0
let sent = 0
const perProducer = rate / producers
const total = Math.round(rate * seconds)
const padding = 'x'.repeat(Math.max(0, size - 20))

async function reader (stream, expected) {
  const socket = await open()
  // The stream is new: everything from the first id on is this run's.
  let lastId = '0-0'
  let got = 0
  let done
  const finished = new Promise((resolve) => { done = resolve })
  socket.on('data', replyReader((reply) => {
    const now = performance.now()
    if (reply !== null) {
      for (const [, entries] of reply) {
        for (const [id, fields] of entries) {
          lastId = id
          latencies.push(now - Number(fields[1].slice(0, 20)))
          got++
          received++
        }
      }
    }
    if (got >= expected) { socket.end(); done(); return }
    socket.write(command('XREAD', 'COUNT', '200', 'BLOCK', '2000', 'STREAMS', stream, lastId))
  }))
  socket.write(command('XREAD', 'COUNT', '200', 'BLOCK', '2000', 'STREAMS', stream, lastId))
  return finished
}

async function producer (stream, count) {
  const socket = await open()
  let acked = 0
  let done
  const finished = new Promise((resolve) => { done = resolve })
  socket.on('data', replyReader(() => { if (++acked === count) { socket.end(); done() } }))
  const started = performance.now()
  let mine = 0
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(count, Math.floor((performance.now() - started) * perProducer / 1000))
      while (mine < due) {
        socket.write(command('XADD', stream, '*', 'v', performance.now().toFixed(6).padStart(20, '0') + padding))
        mine++
        sent++
      }
      if (mine < count) setTimeout(tick, 1)
      else resolve()
    }
    tick()
  })
  return finished
}

const streams = Array.from({ length: producers }, (_v, i) => `lat-${i}`)
const each = Math.floor(total / producers)
const readers = streams.map((s) => reader(s, each))
// Let every reader's first XREAD reach the server.
await new Promise((resolve) => setTimeout(resolve, 200))
/** The RESULT line; also when the run gives up, with what was read by then. */
function report () {
  latencies.sort((a, b) => a - b)
  const q = (p) => Number((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN).toFixed(3))
  console.log(`RESULT ${JSON.stringify({ sent, received, p50_ms: q(0.5), p99_ms: q(0.99), max_ms: q(1) })}`)
}

const guard = setTimeout(() => {
  console.error(`redis-streams-load: gave up with ${received} of ${each * producers} read`)
  report()
  process.exit(2)
}, (seconds + 30) * 1000)
await Promise.all([...streams.map((s) => producer(s, each)), ...readers])
clearTimeout(guard)
report()

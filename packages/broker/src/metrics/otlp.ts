// The numbers in an OTLP MetricsData message (the protobuf KIP-714 clients push): each gauge or
// sum data point with its metric name and attributes. Histograms and summaries are skipped. A
// small protobuf wire reader over the few fields needed (OpenTelemetry's metrics.proto field
// numbers); malformed input throws OtlpError, never anything else.

export interface OtlpPoint {
  metric: string
  /** Attribute key=value pairs, sorted by key. */
  attributes: Array<[string, string]>
  value: number
}

export class OtlpError extends Error {}

const VARINT = 0
const FIXED64 = 1
const BYTES = 2
const FIXED32 = 5

interface Field { number: number, wire: number, varint: number, bytes: Buffer }

/** The fields of one message, in order. */
function * fields (buf: Buffer): Generator<Field> {
  let pos = 0
  const varint = (): number => {
    let result = 0
    let shift = 1
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new OtlpError('truncated varint')
      const byte = buf[pos++] as number
      result += (byte & 0x7f) * shift
      if ((byte & 0x80) === 0) return result
      shift *= 128
    }
    throw new OtlpError('varint too long')
  }
  while (pos < buf.length) {
    const key = varint()
    const number = Math.floor(key / 8)
    const wire = key % 8
    const start = pos
    if (wire === VARINT) {
      yield { number, wire, varint: varint(), bytes: EMPTY }
    } else if (wire === FIXED64 || wire === FIXED32) {
      const size = wire === FIXED64 ? 8 : 4
      if (pos + size > buf.length) throw new OtlpError('truncated fixed field')
      pos += size
      yield { number, wire, varint: 0, bytes: buf.subarray(start, pos) }
    } else if (wire === BYTES) {
      const length = varint()
      if (pos + length > buf.length) throw new OtlpError('truncated length-delimited field')
      const from = pos
      pos += length
      yield { number, wire, varint: 0, bytes: buf.subarray(from, pos) }
    } else {
      throw new OtlpError(`unsupported wire type ${wire}`)
    }
  }
}

const EMPTY = Buffer.alloc(0)

function anyValue (buf: Buffer): string {
  for (const f of fields(buf)) {
    if (f.number === 1 && f.wire === BYTES) return f.bytes.toString('utf8')
    if (f.number === 2 && f.wire === VARINT) return f.varint === 0 ? 'false' : 'true'
    if (f.number === 3 && f.wire === VARINT) return String(f.varint)
    if (f.number === 4 && f.wire === FIXED64) return String(f.bytes.readDoubleLE(0))
  }
  return ''
}

function keyValue (buf: Buffer): [string, string] {
  let key = ''
  let value = ''
  for (const f of fields(buf)) {
    if (f.number === 1 && f.wire === BYTES) key = f.bytes.toString('utf8')
    else if (f.number === 2 && f.wire === BYTES) value = anyValue(f.bytes)
  }
  return [key, value]
}

/** NumberDataPoint: attributes (7), as_double (4), as_int (6). */
function numberPoint (metric: string, buf: Buffer): OtlpPoint | null {
  const attributes: Array<[string, string]> = []
  let value: number | null = null
  for (const f of fields(buf)) {
    if (f.number === 7 && f.wire === BYTES) attributes.push(keyValue(f.bytes))
    else if (f.number === 4 && f.wire === FIXED64) value = f.bytes.readDoubleLE(0)
    else if (f.number === 6 && f.wire === FIXED64) value = Number(f.bytes.readBigInt64LE(0))
  }
  if (value === null) return null
  attributes.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return { metric, attributes, value }
}

/** Metric: name (1); gauge (5) and sum (7) hold data_points (1). */
function metricPoints (buf: Buffer, out: OtlpPoint[]): void {
  let name = ''
  const data: Buffer[] = []
  for (const f of fields(buf)) {
    if (f.number === 1 && f.wire === BYTES) name = f.bytes.toString('utf8')
    else if ((f.number === 5 || f.number === 7) && f.wire === BYTES) data.push(f.bytes)
  }
  for (const d of data) {
    for (const f of fields(d)) {
      if (f.number !== 1 || f.wire !== BYTES) continue
      const point = numberPoint(name, f.bytes)
      if (point !== null) out.push(point)
    }
  }
}

/** MetricsData.resource_metrics (1) > ResourceMetrics.scope_metrics (2) > ScopeMetrics.metrics (2). */
export function otlpPoints (metricsData: Buffer): OtlpPoint[] {
  const out: OtlpPoint[] = []
  for (const rm of fields(metricsData)) {
    if (rm.number !== 1 || rm.wire !== BYTES) continue
    for (const sm of fields(rm.bytes)) {
      if (sm.number !== 2 || sm.wire !== BYTES) continue
      for (const m of fields(sm.bytes)) {
        if (m.number === 2 && m.wire === BYTES) metricPoints(m.bytes, out)
      }
    }
  }
  return out
}

// Input for `brook topic produce`: a byte stream split into records at a delimiter, and each
// record split into headers, key and value at the separators the user chose (the layout of
// kafka-console-producer's parse.key / parse.headers: `h1:v1,h2:v2<TAB>key<TAB>value`).
import { UsageError } from '../../errors.js'

/** Flag values may spell control characters as kcat does: \t, \n, \r, \0, \\. */
export function unescapeSeparator (value: string): string {
  return value.replace(/\\([tnr0\\])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === '0' ? '\0' : '\\'))
}

/** Records of a stream, split at `delimiter`; a last record without a delimiter counts, an empty one does not. */
export async function * splitRecords (input: AsyncIterable<Buffer>, delimiter: Buffer): AsyncGenerator<Buffer[]> {
  let rest: Buffer = Buffer.alloc(0)
  for await (const chunk of input) {
    const buf = rest.length === 0 ? chunk : Buffer.concat([rest, chunk])
    const out: Buffer[] = []
    let start = 0
    for (let at = buf.indexOf(delimiter, start); at >= 0; at = buf.indexOf(delimiter, start)) {
      out.push(buf.subarray(start, at))
      start = at + delimiter.length
    }
    // Copy the tail so the big chunk it came from is not kept alive.
    rest = Buffer.from(buf.subarray(start))
    if (out.length > 0) yield out
  }
  if (rest.length > 0) yield [rest]
}

export interface LineLayout {
  keySeparator: Buffer | null
  headersDelimiter: Buffer | null
  headersSeparator: string
  headersKeySeparator: string
}

export interface ParsedRecord { key: Buffer | null, value: Buffer, headers: Array<{ key: string, value: Buffer }> }

export function parseRecord (line: Buffer, layout: LineLayout, lineNumber: number): ParsedRecord {
  let rest = line
  const headers: Array<{ key: string, value: Buffer }> = []
  if (layout.headersDelimiter !== null) {
    const at = rest.indexOf(layout.headersDelimiter)
    if (at < 0) throw new UsageError(`line ${lineNumber}: no headers delimiter ${JSON.stringify(layout.headersDelimiter.toString())}`)
    const text = rest.subarray(0, at).toString('utf8')
    rest = rest.subarray(at + layout.headersDelimiter.length)
    if (text !== '') {
      for (const pair of text.split(layout.headersSeparator)) {
        const sep = pair.indexOf(layout.headersKeySeparator)
        if (sep <= 0) throw new UsageError(`line ${lineNumber}: header ${JSON.stringify(pair)} is not key${layout.headersKeySeparator}value`)
        headers.push({ key: pair.slice(0, sep), value: Buffer.from(pair.slice(sep + layout.headersKeySeparator.length)) })
      }
    }
  }
  let key: Buffer | null = null
  if (layout.keySeparator !== null) {
    const at = rest.indexOf(layout.keySeparator)
    if (at < 0) throw new UsageError(`line ${lineNumber}: no key separator ${JSON.stringify(layout.keySeparator.toString())}`)
    key = rest.subarray(0, at)
    rest = rest.subarray(at + layout.keySeparator.length)
  }
  return { key, value: rest, headers }
}

// Java .properties text (what Kafka's server.properties is): one `key=value`, `key: value` or
// `key value` per logical line; `#` and `!` start comment lines; a line ending in an odd number
// of backslashes continues on the next line (its leading blanks dropped); backslash escapes
// \t \n \r \f \uXXXX, and any other escaped character stands for itself. Later keys win.

export function parseProperties (text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split(/\r\n|\r|\n/)
  for (let n = 0; n < lines.length; n++) {
    let line = stripLeading(lines[n] ?? '')
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    while (endsWithContinuation(line) && n + 1 < lines.length) {
      n++
      line = line.slice(0, -1) + stripLeading(lines[n] ?? '')
    }
    if (endsWithContinuation(line)) line = line.slice(0, -1)
    const [key, value] = splitKeyValue(line)
    out[unescape(key)] = unescape(value)
  }
  return out
}

function stripLeading (s: string): string {
  return s.replace(/^[ \t\f]+/, '')
}

function endsWithContinuation (line: string): boolean {
  let slashes = 0
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) slashes++
  return slashes % 2 === 1
}

function splitKeyValue (line: string): [string, string] {
  let i = 0
  for (; i < line.length; i++) {
    const c = line[i]
    if (c === '\\') { i++; continue }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break
  }
  const key = line.slice(0, i)
  let rest = line.slice(i)
  rest = rest.replace(/^[ \t\f]*/, '')
  if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]*/, '')
  return [key, rest]
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' }

function unescape (s: string): string {
  if (!s.includes('\\')) return s
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? ''
    if (c !== '\\' || i + 1 >= s.length) { out += c; continue }
    const next = s[++i] ?? ''
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 5), 16))
      i += 4
    } else {
      out += ESCAPES[next] ?? next
    }
  }
  return out
}

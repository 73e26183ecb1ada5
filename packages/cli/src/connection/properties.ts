// Java .properties files, the subset client config files use: `key=value`, `key: value` or
// `key value`, `#` and `!` comments, a trailing backslash continuing the line, \t \n \\ escapes.
export function parseProperties (text: string): Map<string, string> {
  const out = new Map<string, string>()
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').trimStart()
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + (lines[++i] ?? '').trimStart()
    const match = /^((?:\\.|[^\\=:\s])+)\s*[=:\s]\s*(.*)$/.exec(line)
    const key = unescape(match === null ? line : match[1] ?? '')
    out.set(key, match === null ? '' : unescape(match[2] ?? ''))
  }
  return out
}

function unescape (s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c))
}

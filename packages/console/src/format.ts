// How numbers, sizes, times and record bytes are shown.

export function bytes (n: number | null | undefined): string {
  if (n === null || n === undefined) return '–'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`
}

// One formatter for every number: toLocaleString makes a new one per call, which a table of
// thousands of cells pays for in full.
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

export const count = (n: number | null | undefined): string => n === null || n === undefined ? '–' : integer.format(n)

export const rate = (n: number | null): string => n === null ? '–' : n < 10 ? n.toFixed(1) : integer.format(n)

export const time = (ms: number): string => ms < 0 ? '–' : new Date(ms).toISOString().replace('T', ' ').replace('Z', '')

export function fromBase64 (b64: string): Uint8Array {
  const s = atob(b64)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

export type View = 'auto' | 'json' | 'text' | 'hex'

export function hex (b: Uint8Array): string {
  const lines: string[] = []
  for (let i = 0; i < b.length; i += 16) {
    const row = b.subarray(i, i + 16)
    const h = [...row].map((x) => x.toString(16).padStart(2, '0')).join(' ')
    const a = [...row].map((x) => (x >= 32 && x < 127 ? String.fromCharCode(x) : '.')).join('')
    lines.push(`${i.toString(16).padStart(8, '0')}  ${h.padEnd(47)}  ${a}`)
  }
  return lines.join('\n')
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/** Bytes as the chosen view; `auto` tries JSON, then UTF-8 text, then hex. */
export function render (b64: string | null, view: View): { text: string, as: 'json' | 'text' | 'hex' | 'null' } {
  if (b64 === null) return { text: 'null', as: 'null' }
  const b = fromBase64(b64)
  if (view === 'hex') return { text: hex(b), as: 'hex' }
  let text: string
  try {
    text = decoder.decode(b)
  } catch {
    return { text: hex(b), as: 'hex' } // not UTF-8: only hex shows it faithfully
  }
  if (view === 'text') return { text, as: 'text' }
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), as: 'json' }
  } catch {
    return view === 'json' ? { text: `(not JSON) ${text}`, as: 'text' } : { text, as: 'text' }
  }
}

/** One line of a value for a table cell. */
export function preview (b64: string | null, max = 120): string {
  if (b64 === null) return 'null'
  const r = render(b64, 'auto')
  const one = r.as === 'json' ? JSON.stringify(JSON.parse(r.text)) : r.text.replace(/\s+/g, ' ')
  return one.length > max ? one.slice(0, max) + '…' : one
}

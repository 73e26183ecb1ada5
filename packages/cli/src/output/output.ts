// Results go to stdout as a table for people (the default) or as JSON for scripts
// (--format json). Tables are rpk-style: upper-case headers, aligned columns, no borders.
import Table from 'cli-table3'
import { UsageError } from '../errors.js'

export type OutputFormat = 'table' | 'json'

let stdoutClosed = false

/** A reader that went away (`brook ... | head`) is no failure: later output is dropped. */
export function tolerateClosedStdout (): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') { stdoutClosed = true; return }
    throw err
  })
}

export function isStdoutClosed (): boolean { return stdoutClosed }
export type Cell = string | number | bigint | boolean | null | undefined

export function outputFormatOf (value: string): OutputFormat {
  if (value !== 'table' && value !== 'json') throw new UsageError(`--format must be table or json, got ${value}`)
  return value
}

/** JSON with bigints as numbers when exact, as strings past 2^53. */
function toJson (value: unknown, indent?: number): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString()) : v), indent)
}

export function printJson (value: unknown): void {
  process.stdout.write(toJson(value, 2) + '\n')
}

function cellText (cell: Cell): string {
  if (cell === null || cell === undefined) return '-'
  return String(cell)
}

function renderTable (headers: string[], rows: Cell[][]): string {
  const table = new Table({
    head: headers.map((h) => h.toUpperCase()),
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  '
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 }
  })
  for (const row of rows) table.push(row.map(cellText))
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n')
}

export function printTable (headers: string[], rows: Cell[][]): void {
  process.stdout.write(renderTable(headers, rows) + '\n')
}

/** `key: value` lines, for a single object's summary. */
export function printFields (fields: Array<[string, Cell]>): void {
  const width = Math.max(...fields.map(([k]) => k.length))
  for (const [k, v] of fields) process.stdout.write(`${(k + ':').padEnd(width + 2)}${cellText(v)}\n`)
}

/** One table or one JSON document, per --format. */
export function printRows<T> (format: OutputFormat, rows: T[], headers: string[], toCells: (row: T) => Cell[]): void {
  if (format === 'json') printJson(rows)
  else printTable(headers, rows.map(toCells))
}

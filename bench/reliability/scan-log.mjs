#!/usr/bin/env node
// Full CRC scan of a Brook data dir (log.dirs), offline: every batch of every segment of every
// partition is read through @brook/storage's batch scanner, its framing and CRC-32C checked, and
// its offsets checked to grow across batches and segments. Run it on a stopped broker's data
// (or right after a kill -9: a bad tail in a partition's last segment is then reported apart,
// since recovery cuts what was never acknowledged).
//
// Usage: node bench/reliability/scan-log.mjs <data-dir>... [--strict-tail] [--json]
// Exit code 1 when a problem is found (tail problems only with --strict-tail).
// Import: `scanLogDirs(dirs, { strictTail })` resolves with the report printed here.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { NodeFileSystem, parseSegmentFileName, scanBatches } from '@brook/storage'

const CHUNK = 1 << 20

/**
 * @typedef {{ where: string, problem: string }} ScanProblem
 * @typedef {{
 *   logDirs: number, partitions: number, segments: number, batches: number, records: number,
 *   bytes: number, offsetGaps: number, errors: ScanProblem[], tailProblems: ScanProblem[], ok: boolean
 * }} ScanReport
 */

/**
 * Scans each log dir; `ok` is false on any error (and on tail problems when strictTail).
 * @param {string[]} dirs
 * @param {{ strictTail?: boolean }} [options]
 * @returns {Promise<ScanReport>}
 */
export async function scanLogDirs (dirs, options = {}) {
  const fs = new NodeFileSystem()
  /** @type {ScanReport} */
  const report = { logDirs: 0, partitions: 0, segments: 0, batches: 0, records: 0, bytes: 0, offsetGaps: 0, errors: [], tailProblems: [], ok: true }
  for (const dir of dirs) {
    report.logDirs++
    for (const name of await fs.readdir(dir)) {
      const path = join(dir, name)
      if (!(await fs.stat(path)).isDirectory) continue
      await scanPartition(fs, path, report)
    }
  }
  report.ok = report.errors.length === 0 && (options.strictTail !== true || report.tailProblems.length === 0)
  return report
}

/**
 * @param {NodeFileSystem} fs
 * @param {string} dir
 * @param {ScanReport} report
 */
async function scanPartition (fs, dir, report) {
  const logs = []
  for (const name of await fs.readdir(dir)) {
    const parsed = parseSegmentFileName(name)
    if (parsed !== null && parsed.ext === '.log' && parsed.suffix === '') logs.push({ name, base: parsed.baseOffset })
  }
  // Brook's own state dirs (scheduled delivery, exchanges) hold no segments.
  if (logs.length === 0) return
  report.partitions++
  logs.sort((a, b) => a.base - b.base)
  let next = -Infinity
  for (let i = 0; i < logs.length; i++) {
    const { name, base } = logs[i]
    const where = join(dir, name)
    const last = i === logs.length - 1
    report.segments++
    if (base < next) report.errors.push({ where, problem: `segment base ${base} below the previous segment's next offset ${next}` })
    const fh = await fs.open(where, 'r')
    try {
      const size = await fh.size()
      let expected = base
      const end = await scanBatches(fh, 0, size, { verifyCrc: true, chunkSize: CHUNK, minOffset: Math.max(base, next) }, (batch) => {
        if (batch.baseOffset !== expected) report.offsetGaps++
        expected = batch.lastOffset + 1
        report.batches++
        report.records += batch.recordCount
        report.bytes += batch.size
      })
      next = Math.max(next, expected)
      if (end.problem !== null) {
        const problem = { where, problem: `${end.problem} at byte ${end.position} of ${size}` }
        if (last) report.tailProblems.push(problem)
        else report.errors.push(problem)
      }
    } finally {
      await fh.close()
    }
  }
}

/** @param {ScanReport} r */
export function formatScanReport (r) {
  const lines = [
    `scan: ${r.logDirs} log dir(s), ${r.partitions} partitions, ${r.segments} segments, ${r.batches} batches, ` +
    `${r.records} records, ${r.bytes} bytes, ${r.offsetGaps} offset gaps (compaction, aborted-only ranges), ` +
    `${r.errors.length} errors, ${r.tailProblems.length} bad tails: ${r.ok ? 'OK' : 'FAILED'}`
  ]
  for (const e of r.errors) lines.push(`  error: ${e.where}: ${e.problem}`)
  for (const e of r.tailProblems) lines.push(`  bad tail: ${e.where}: ${e.problem}`)
  return lines.join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const dirs = args.filter((a) => !a.startsWith('--'))
  if (dirs.length === 0) {
    console.error('usage: scan-log.mjs <data-dir>... [--strict-tail] [--json]')
    process.exit(2)
  }
  const report = await scanLogDirs(dirs, { strictTail: args.includes('--strict-tail') })
  console.log(args.includes('--json') ? JSON.stringify(report) : formatScanReport(report))
  process.exit(report.ok ? 0 : 1)
}

// Runs a fuzz target for a number of inputs from a seed with fast-check, which replays a run from
// (seed, path) and shrinks a failing case to a small one. Shared by the seeded test run and the
// long run (bench/reliability/fuzz.mjs).
import fc from 'fast-check'
import { batchSeeds, requestSeeds } from './corpus.js'
import { type FuzzTarget, headerTarget, installAllocationProbe, recordsTarget, requestTarget, splitterTarget } from './targets.js'

export interface FuzzOutcome {
  target: string
  runs: number
  ms: number
  /** The shrunk failing input as hex, with the failure's message, and how to replay it. */
  failure: { message: string, input: string, seed: number, path: string } | null
}

export const TARGET_NAMES = ['splitter', 'header', 'request', 'records'] as const
export type TargetName = typeof TARGET_NAMES[number]

let requests: Buffer[] | undefined
let batches: Buffer[] | undefined

/** The targets, built once per process (seeds read and encoded lazily). */
export function target (name: TargetName): FuzzTarget {
  requests ??= requestSeeds()
  switch (name) {
    case 'splitter': return splitterTarget(requests) as FuzzTarget
    case 'header': return headerTarget(requests) as FuzzTarget
    case 'request': return requestTarget(requests) as FuzzTarget
    case 'records':
      batches ??= batchSeeds()
      return recordsTarget(batches) as FuzzTarget
  }
}

export function fuzzTarget (t: FuzzTarget, seed: number, runs: number, path?: string): FuzzOutcome {
  const uninstall = installAllocationProbe()
  const started = performance.now()
  try {
    const details = fc.check(fc.property(t.arbitrary, (c) => { t.run(c) }), {
      seed, numRuns: runs, ...(path === undefined ? {} : { path })
    })
    const ms = performance.now() - started
    if (!details.failed || details.counterexample === null) return { target: t.name, runs: details.numRuns, ms, failure: null }
    const [shrunk] = details.counterexample
    const error = details.errorInstance
    return {
      target: t.name,
      runs: details.numRuns,
      ms,
      failure: {
        message: error instanceof Error ? error.message : String(error),
        input: t.bytes(shrunk).toString('hex'),
        seed: details.seed,
        path: details.counterexamplePath ?? ''
      }
    }
  } finally {
    uninstall()
  }
}

// In-process fuzz targets and the property every one of them must hold for every input:
//   - it throws nothing but the decoder's typed errors (ProtocolError and its FrameError; for
//     record data also RecordFormatError and CompressionError);
//   - it returns within a bounded time (FUZZ_INPUT_MS; a loop driven by a length is a hang);
//   - it allocates nothing out of proportion to its input: every Buffer allocation made while it
//     runs is measured (Buffer.alloc, allocUnsafe, allocUnsafeSlow) and must stay under a bound
//     of a few times the input, so a huge length prefix or count can never make a buffer.
// Targets: the frame splitter (a stream of mutated frames cut into random chunks must split the
// same as in one piece, and stop at the same bad size prefix), the request header decoder, the
// request decoders of every api at every version (header, then body), and the record-batch
// validator followed by a full decode (decompression included) of whatever it accepts.
import fc from 'fast-check'
import { FrameSplitter } from '../../src/frame.js'
import { decodeRequestHeader } from '../../src/header.js'
import { apiByKey } from '../../src/messages/index.js'
import { Reader } from '../../src/primitives/reader.js'
import { ProtocolError } from '../../src/protocol-error.js'
import { decodeRequest } from '../../src/schema/codec.js'
import { CompressionError } from '../../src/records/compression.js'
import { iterateBatches, decodeBatchSync } from '../../src/records/read-batches.js'
import { CRC, ATTRIBUTES, BATCH_LENGTH, LOG_OVERHEAD } from '../../src/records/record-batch.js'
import { validateRecords } from '../../src/records/validate.js'
import { RecordFormatError } from '../../src/records/varint.js'
import { crc32c } from '@node-rs/crc32'
import { applyMutations, type MutatedInput, mutatedInputArb } from './mutate.js'

/** Longest time one input may take (generous: a loaded 2-core box pauses for GC and neighbours). */
const FUZZ_INPUT_MS = 2000
/** Frames larger than this are refused by the splitter under fuzz (the broker's is a config). */
const FUZZ_MAX_FRAME = 1 << 20
/** Decompression bound under fuzz. */
const FUZZ_MAX_DECOMPRESSED = 1 << 20

export class FuzzFailure extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'FuzzFailure'
  }
}

// ---- allocation probe ----

type Alloc = (size: number, ...rest: never[]) => Buffer
let largestAllocation = 0
let probeDepth = 0
// oxlint-disable-next-line typescript/unbound-method -- kept to be put back; they are called with Buffer as `this`
const originals = { alloc: Buffer.alloc, allocUnsafe: Buffer.allocUnsafe, allocUnsafeSlow: Buffer.allocUnsafeSlow }

function probed (original: Alloc): Alloc {
  return function (this: unknown, size: number, ...rest: never[]): Buffer {
    if (size > largestAllocation) largestAllocation = size
    return original.call(Buffer, size, ...rest)
  }
}

/** Measures Buffer allocations until the returned function is called (nests). */
export function installAllocationProbe (): () => void {
  if (probeDepth++ === 0) {
    Buffer.alloc = probed(originals.alloc) as typeof Buffer.alloc
    Buffer.allocUnsafe = probed(originals.allocUnsafe) as typeof Buffer.allocUnsafe
    Buffer.allocUnsafeSlow = probed(originals.allocUnsafeSlow) as typeof Buffer.allocUnsafeSlow
  }
  return () => {
    if (--probeDepth === 0) Object.assign(Buffer, originals)
  }
}

// ---- the property ----

export type Allowed = (err: unknown) => boolean
const protocolOnly: Allowed = (err) => err instanceof ProtocolError
const recordErrors: Allowed = (err) => err instanceof ProtocolError || err instanceof RecordFormatError || err instanceof CompressionError

/** Runs one input through `body` and throws a FuzzFailure if the property does not hold. */
export function check (input: Buffer, allowed: Allowed, allocationBound: number, body: () => void, limitMs = FUZZ_INPUT_MS): void {
  largestAllocation = 0
  const started = performance.now()
  try {
    body()
  } catch (err) {
    if (err instanceof FuzzFailure) throw err
    if (!allowed(err)) throw new FuzzFailure(`untyped error on input ${input.toString('hex')}: ${String(err)}`, { cause: err })
  }
  const ms = performance.now() - started
  if (ms > limitMs) throw new FuzzFailure(`input took ${ms.toFixed(0)} ms (bound ${limitMs}): ${input.toString('hex')}`)
  if (largestAllocation > allocationBound) {
    throw new FuzzFailure(`allocated ${largestAllocation} bytes for a ${input.length}-byte input (bound ${allocationBound}): ${input.toString('hex')}`)
  }
}

/** What a target gives the runners: a fast-check arbitrary of cases and the property over one case. */
export interface FuzzTarget<Case = unknown> {
  name: string
  arbitrary: fc.Arbitrary<Case>
  run: (c: Case) => void
  /** The case as bytes, to print and to keep as a regression input. */
  bytes: (c: Case) => Buffer
}

const decoderBound = (input: Buffer): number => 4 * input.length + 64 * 1024

// ---- request header and bodies ----

/** A request frame (size prefix ignored): header, then the body with the api's decoder. */
function decodeRequestFrame (frame: Buffer): void {
  const reader = new Reader(frame, Math.min(4, frame.length))
  const header = decodeRequestHeader(reader)
  const api = apiByKey(header.apiKey)
  if (api === undefined) return
  decodeRequest(api, header.apiVersion, reader)
}

function headerOnly (frame: Buffer): void {
  decodeRequestHeader(new Reader(frame, Math.min(4, frame.length)))
}

function checkRequest (frame: Buffer): void {
  check(frame, protocolOnly, decoderBound(frame), () => decodeRequestFrame(frame))
}

function checkHeader (frame: Buffer): void {
  check(frame, protocolOnly, decoderBound(frame), () => headerOnly(frame))
}

function frameTarget (name: string, seeds: readonly Buffer[], property: (b: Buffer) => void): FuzzTarget<MutatedInput> {
  return {
    name,
    arbitrary: mutatedInputArb(seeds.length),
    run: (c) => property(applyMutations(c, seeds)),
    bytes: (c) => applyMutations(c, seeds)
  }
}

export const headerTarget = (seeds: readonly Buffer[]): FuzzTarget<MutatedInput> => frameTarget('header', seeds, checkHeader)
export const requestTarget = (seeds: readonly Buffer[]): FuzzTarget<MutatedInput> => frameTarget('request', seeds, checkRequest)

// ---- frame splitter ----

interface SplitResult { frames: string[], error: number | null }

function split (chunks: readonly Buffer[]): SplitResult {
  const frames: string[] = []
  const splitter = new FrameSplitter(FUZZ_MAX_FRAME, (size) => {
    if (size > FUZZ_MAX_FRAME) throw new FuzzFailure(`splitter asked for ${size} bytes, above its ${FUZZ_MAX_FRAME} maximum`)
    return Buffer.allocUnsafe(size)
  })
  try {
    for (const chunk of chunks) splitter.push(chunk, (frame) => frames.push(frame.toString('hex')))
  } catch (err) {
    if (err instanceof ProtocolError && err.code === 'BROOK_ERR_FRAME_SIZE') return { frames, error: frames.length }
    throw err
  }
  return { frames, error: null }
}

/** The stream split whole and cut at `cuts` (fractions of its length) must give the same frames. */
function checkSplit (stream: Buffer, cuts: readonly number[]): void {
  check(stream, protocolOnly, FUZZ_MAX_FRAME, () => {
    const whole = split([stream])
    const points = [...new Set(cuts.map((c) => Math.floor(c * stream.length)))].sort((a, b) => a - b)
    const chunks: Buffer[] = []
    let from = 0
    for (const p of points) {
      chunks.push(stream.subarray(from, p))
      from = p
    }
    chunks.push(stream.subarray(from))
    const pieces = split(chunks)
    if (JSON.stringify(whole) !== JSON.stringify(pieces)) {
      throw new FuzzFailure(`split differs when chunked at ${points.join(',')}: ${stream.toString('hex')}`)
    }
  })
}

interface SplitCase { frames: MutatedInput[], cuts: number[] }

export function splitterTarget (seeds: readonly Buffer[]): FuzzTarget<SplitCase> {
  const stream = (c: SplitCase): Buffer => Buffer.concat(c.frames.map((f) => applyMutations(f, seeds)))
  return {
    name: 'splitter',
    arbitrary: fc.record({
      frames: fc.array(mutatedInputArb(seeds.length, 2), { minLength: 1, maxLength: 4 }),
      cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 })
    }),
    run: (c) => checkSplit(stream(c), c.cuts),
    bytes: stream
  }
}

// ---- record batches ----

/** Rewrites the CRC of every batch whose length fits, so that mutations reach past the CRC check. */
function fixCrcs (blob: Buffer): Buffer {
  const out = Buffer.from(blob)
  let pos = 0
  while (pos + ATTRIBUTES <= out.length) {
    const size = LOG_OVERHEAD + out.readInt32BE(pos + BATCH_LENGTH)
    if (size < ATTRIBUTES || pos + size > out.length) break
    out.writeUInt32BE(crc32c(out.subarray(pos + ATTRIBUTES, pos + size)) >>> 0, pos + CRC)
    pos += size
  }
  return out
}

export interface RecordsCase { input: MutatedInput, fixCrc: boolean, produceVersion: number, singleBatch: boolean }

function recordsBytes (c: RecordsCase, seeds: readonly Buffer[]): Buffer {
  const mutated = applyMutations(c.input, seeds)
  return c.fixCrc ? fixCrcs(mutated) : mutated
}

/** validateRecords never throws; what it accepts decodes (records, decompression) or fails typed. */
function checkRecords (blob: Buffer, produceVersion: number, singleBatch: boolean): void {
  check(blob, recordErrors, decoderBound(blob) + FUZZ_MAX_DECOMPRESSED, () => {
    let result
    try {
      result = validateRecords(blob, { produceVersion, singleBatch, maxBatchBytes: FUZZ_MAX_FRAME })
    } catch (err) {
      throw new FuzzFailure(`validateRecords threw on ${blob.toString('hex')}: ${String(err)}`, { cause: err })
    }
    if (!result.ok) return
    for (const batch of iterateBatches(blob)) decodeBatchSync(batch, { maxBytes: FUZZ_MAX_DECOMPRESSED })
  })
}

export function recordsTarget (seeds: readonly Buffer[]): FuzzTarget<RecordsCase> {
  return {
    name: 'records',
    arbitrary: fc.record({
      input: mutatedInputArb(seeds.length, 4),
      fixCrc: fc.boolean(),
      produceVersion: fc.integer({ min: 3, max: 13 }),
      singleBatch: fc.boolean()
    }),
    run: (c) => checkRecords(recordsBytes(c, seeds), c.produceVersion, c.singleBatch),
    bytes: (c) => recordsBytes(c, seeds)
  }
}

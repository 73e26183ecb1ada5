import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FrameSplitter } from '../src/frame.js'
import { FrameError } from '../src/protocol-error.js'

function prefixed (payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length)
  b.writeInt32BE(payload.length, 0)
  payload.copy(b, 4)
  return b
}

function lcg (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 4294967296
  }
}

test('frames come out whole and in order however the stream is chunked', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rand = lcg(seed)
    const frames: Buffer[] = []
    for (let i = 0; i < 60; i++) {
      const size = rand() < 0.1 ? 0 : Math.floor(rand() * (rand() < 0.2 ? 5000 : 50))
      const f = Buffer.alloc(size)
      for (let j = 0; j < size; j++) f[j] = Math.floor(rand() * 256)
      frames.push(f)
    }
    const stream = Buffer.concat(frames.map(prefixed))
    const splitter = new FrameSplitter(1 << 20)
    const got: Buffer[] = []
    let pos = 0
    while (pos < stream.length) {
      const n = rand() < 0.3 ? 1 + Math.floor(rand() * 3) : 1 + Math.floor(rand() * 700)
      // Copy each chunk, as a socket delivers fresh buffers.
      splitter.push(Buffer.from(stream.subarray(pos, pos + n)), (f) => got.push(f))
      pos += n
    }
    assert.equal(splitter.buffered, 0)
    // Checked after all pushes: no frame handed out was overwritten by later input.
    assert.deepEqual(got, frames, `seed ${seed}`)
  }
})

test('a frame inside one chunk is a view of that chunk (no copy)', () => {
  const chunk = Buffer.concat([prefixed(Buffer.from('abc')), prefixed(Buffer.from('de'))])
  const got: Buffer[] = []
  new FrameSplitter(100).push(chunk, (f) => got.push(f))
  assert.equal(got.length, 2)
  assert.equal(got[0]?.buffer, chunk.buffer)
  assert.equal(got[1]?.toString(), 'de')
})

test('buffered counts the bytes of an incomplete frame', () => {
  const s = new FrameSplitter(100)
  const onFrame = (): void => { assert.fail('no frame is complete yet') }
  s.push(Buffer.from([0, 0]), onFrame)
  assert.equal(s.buffered, 2)
  s.push(Buffer.from([0, 5, 1, 2]), onFrame)
  assert.equal(s.buffered, 6)
})

test('a size beyond the limit or negative throws FrameError, also when the prefix is split', () => {
  const tooBig = Buffer.alloc(4)
  tooBig.writeInt32BE(101, 0)
  assert.throws(() => new FrameSplitter(100).push(tooBig, () => {}), (e: unknown) => e instanceof FrameError && e.size === 101 && e.code === 'BROOK_ERR_FRAME_SIZE')
  const split = new FrameSplitter(100)
  split.push(tooBig.subarray(0, 3), () => {})
  assert.throws(() => split.push(tooBig.subarray(3), () => {}), FrameError)
  assert.throws(() => new FrameSplitter(100).push(Buffer.from([0xff, 0xff, 0xff, 0xff]), () => {}), FrameError)
  const exact: Buffer[] = []
  new FrameSplitter(100).push(prefixed(Buffer.alloc(100, 1)), (f) => exact.push(f))
  assert.equal(exact[0]?.length, 100)
})

test('gathered frames go into the allocator\'s buffers, which may be larger than the frame', () => {
  const rand = lcg(7)
  const frames: Buffer[] = []
  for (let i = 0; i < 40; i++) frames.push(Buffer.from(Array.from({ length: Math.floor(rand() * 3000) }, () => Math.floor(rand() * 256))))
  const stream = Buffer.concat(frames.map(prefixed))
  const allocated: Buffer[] = []
  // Oversized and dirty, as a recycled pool buffer is.
  const splitter = new FrameSplitter(1 << 20, (size) => {
    const buf = Buffer.alloc(2 * size + 1, 0xee)
    allocated.push(buf)
    return buf
  })
  const got: Array<{ frame: Buffer, gathered: Buffer | null }> = []
  for (let pos = 0; pos < stream.length; pos += 500) {
    splitter.push(Buffer.from(stream.subarray(pos, pos + 500)), (frame, gathered) => got.push({ frame, gathered }))
  }
  assert.deepEqual(got.map((g) => g.frame), frames)
  const gathered = got.filter((g) => g.gathered !== null)
  assert.ok(gathered.length > 10, 'most frames span a 500-byte chunk')
  assert.deepEqual(gathered.map((g) => g.gathered), allocated)
  for (const g of gathered) assert.equal(g.frame.buffer, g.gathered?.buffer)
  for (const g of got.filter((g) => g.gathered === null)) assert.ok(!allocated.some((a) => a.buffer === g.frame.buffer))
  assert.throws(() => new FrameSplitter(100, (size) => Buffer.alloc(size - 1)).push(prefixed(Buffer.alloc(50)).subarray(0, 10), () => {}), RangeError)
})

test('a frame over 1 MiB gets memory as its bytes arrive, not when its size does', { timeout: 10_000 }, () => {
  const body = Buffer.alloc(5 * 1024 * 1024 + 7)
  for (let i = 0; i < body.length; i += 4096) body[i] = i % 251
  const stream = prefixed(body)
  const asked: number[] = []
  const splitter = new FrameSplitter(64 * 1024 * 1024, (size) => { asked.push(size); return Buffer.allocUnsafe(size) })
  const got: Buffer[] = []
  splitter.push(stream.subarray(0, 14), (f) => got.push(f))
  // A 5 MiB announcement with 10 bytes sent holds 1 MiB at most.
  assert.deepEqual(asked, [1024 * 1024])
  for (let pos = 14; pos < stream.length; pos += 300_000) splitter.push(stream.subarray(pos, pos + 300_000), (f) => got.push(f))
  assert.equal(got.length, 1)
  assert.ok((got[0] as Buffer).equals(body))
  // Growth in between is private; the buffer handed out (recyclable) comes from the allocator.
  assert.equal(asked.at(-1), body.length)
})

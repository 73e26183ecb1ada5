import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { crc32c } from '@node-rs/crc32'
import { MemoryFileSystem } from '../src/fs/memory-fs.js'
import type { FileSystem } from '../src/fs/file-system.js'
import { LOG_DIR_SUMMARY, decodeLogDirSummary, encodeLogDirSummary } from '../src/log-dir-summary.js'
import type { LogManager } from '../src/log-manager.js'
import { batchOf, openManager, readAll, simpleBatch, testConfig } from './helpers.js'

const config = testConfig()

/** The file system with a count of calls per method and path (to see which directories a start reads). */
function counting (fs: MemoryFileSystem): { fs: FileSystem, calls: Array<[string, string]> } {
  const calls: Array<[string, string]> = []
  const wrapped = new Proxy(fs, {
    get (target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.push([String(prop), String(args[0])])
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    }
  })
  return { fs: wrapped, calls }
}

const touched = (calls: Array<[string, string]>, dir: string): number => calls.filter(([, path]) => path === dir || path.startsWith(`${dir}/`)).length

/** t-0: several segments and two leader epochs; t-1: empty; t-2: an idempotent producer's batch. */
async function populate (manager: LogManager): Promise<void> {
  const t0 = await manager.createLog('t', 0, config)
  for (let i = 0; i < 40; i++) await t0.append(simpleBatch(10, 1_000 + i * 10, 200), { leaderEpoch: 0, durable: false })
  await t0.assignEpochStartOffset(3)
  for (let i = 0; i < 40; i++) await t0.append(simpleBatch(10, 2_000 + i * 10, 200), { leaderEpoch: 3, durable: i === 39 })
  await manager.createLog('t', 1, config)
  const t2 = await manager.createLog('t', 2, config)
  await t2.append(batchOf([{ key: 'k', value: 'v', timestamp: Date.now() }], { producerId: 7n, producerEpoch: 0, baseSequence: 0 }), { leaderEpoch: 0, durable: true })
}

describe('clean-shutdown summary', () => {
  it('a clean start builds summarized partitions without reading their directories; logs with producers load as before', { timeout: 30_000 }, async () => {
    const memory = new MemoryFileSystem()
    const first = await openManager(memory, config)
    await populate(first)
    const t0 = first.getLog('t', 0)!
    assert.ok(t0.segmentCount > 1, 'several segments')
    const records = await readAll(t0)
    const epochs = [t0.endOffsetForEpoch(0), t0.endOffsetForEpoch(3)]
    await first.close()
    assert.ok(await memory.exists(`/data/${LOG_DIR_SUMMARY}`))

    const { fs, calls } = counting(memory)
    const second = await openManager(fs, config)
    assert.deepEqual(calls.filter(([, path]) => path.startsWith('/data/t-0')).map(([m]) => m), ['stat'], 'the summarized log with data: one stat of its active segment')
    assert.equal(touched(calls, '/data/t-1'), 0, 'the summarized empty log is not read')
    assert.ok(touched(calls, '/data/t-2') > 0, 'the log with producer state loads from its directory')
    assert.equal(await memory.exists(`/data/${LOG_DIR_SUMMARY}`), false, 'the summary is consumed at open')
    const again = second.getLog('t', 0)!
    assert.equal(again.logEndOffset, 800)
    assert.deepEqual([again.endOffsetForEpoch(0), again.endOffsetForEpoch(3)], epochs)
    assert.deepEqual(await readAll(again), records)
    assert.equal(second.getLog('t', 2)!.activeProducers().length, 1)
    // Appends after the restore read the active segment's indexes on first use.
    assert.equal((await again.append(simpleBatch(5, 9_000), { leaderEpoch: 3, durable: true })).baseOffset, 800)
    assert.equal((await second.getLog('t', 1)!.append(simpleBatch(2, 9_000), { leaderEpoch: 0, durable: true })).baseOffset, 0)
    const expected = await readAll(again)
    // A crash now: the full recovery finds exactly what the restored logs wrote.
    await second.abandon()
    memory.powerCut()
    const third = await openManager(memory, config)
    assert.deepEqual(await readAll(third.getLog('t', 0)!), expected)
    assert.equal(third.getLog('t', 1)!.logEndOffset, 2)
    assert.deepEqual([third.getLog('t', 0)!.endOffsetForEpoch(0), third.getLog('t', 0)!.endOffsetForEpoch(3)].map((e) => e.endOffset), [epochs[0]?.endOffset, 805])
    await third.close()
  })

  it('a damaged summary, or one without its marker, is not trusted', { timeout: 30_000 }, async () => {
    const memory = new MemoryFileSystem()
    const first = await openManager(memory, config)
    await populate(first)
    const records = await readAll(first.getLog('t', 0)!)
    await first.close()
    const summary = await memory.readFile(`/data/${LOG_DIR_SUMMARY}`)
    summary.writeUInt8(summary.readUInt8(summary.length - 3) ^ 0x55, summary.length - 3)
    const fh = await memory.open(`/data/${LOG_DIR_SUMMARY}`, 'r+')
    await fh.write(summary, 0)
    await fh.close()
    const counted = counting(memory)
    const second = await openManager(counted.fs, config)
    assert.ok(touched(counted.calls, '/data/t-0') > 0, 'a corrupt summary means loading from the directory')
    assert.deepEqual(await readAll(second.getLog('t', 0)!), records)
    await second.close()
    await memory.unlink('/data/.brook_cleanshutdown')
    const third = counting(memory)
    const reopened = await openManager(third.fs, config)
    assert.ok(touched(third.calls, '/data/t-0') > 0, 'no marker: the summary is ignored')
    assert.equal(await memory.exists(`/data/${LOG_DIR_SUMMARY}`), false)
    assert.deepEqual(await readAll(reopened.getLog('t', 0)!), records)
    await reopened.close()
  })

  it('a summary that does not fit the log (epochs past its end, an active segment of another size) is not used for it', { timeout: 30_000 }, async () => {
    const memory = new MemoryFileSystem()
    const first = await openManager(memory, config)
    await populate(first)
    const records = await readAll(first.getLog('t', 0)!)
    await first.close()
    const logs = decodeLogDirSummary(await memory.readFile(`/data/${LOG_DIR_SUMMARY}`))
    assert.ok(Array.isArray(logs))
    const t0 = logs.find((l) => l.partition === 0)!
    t0.epochs.push({ epoch: 9, startOffset: 5_000 })
    const t1 = logs.find((l) => l.partition === 1)!
    t1.segments[0]!.size = 100
    t1.segments[0]!.nextOffset = 1
    const fh = await memory.open(`/data/${LOG_DIR_SUMMARY}`, 'w+')
    await fh.write(encodeLogDirSummary(logs), 0)
    await fh.close()
    const { fs, calls } = counting(memory)
    const second = await openManager(fs, config)
    assert.ok(calls.some(([m, p]) => m === 'readdir' && p === '/data/t-0'), 'epochs past the log end: loaded from the directory')
    assert.ok(calls.some(([m, p]) => m === 'readdir' && p === '/data/t-1'), 'an active segment of another size: loaded from the directory')
    assert.deepEqual(await readAll(second.getLog('t', 0)!), records)
    assert.equal(second.getLog('t', 0)!.endOffsetForEpoch(9).endOffset, -1)
    assert.equal(second.getLog('t', 1)!.logEndOffset, 0)
    await second.close()
  })

  it('decoding rejects every malformed shape', () => {
    const good = encodeLogDirSummary([{ topic: 't', partition: 0, segments: [{ baseOffset: 0, size: 10, nextOffset: 1, maxTimestamp: -1, offsetOfMaxTimestamp: 0, rollingBasedTimestamp: null, bytesSinceLastIndexEntry: 10 }], epochs: [{ epoch: 1, startOffset: 0 }] }])
    assert.equal((decodeLogDirSummary(good) as unknown[]).length, 1)
    const frame = (json: string): Buffer => {
      const body = Buffer.from(json)
      const head = Buffer.alloc(8)
      head.writeInt32BE(body.length + 4, 0)
      head.writeUInt32BE(crc32c(body) >>> 0, 4)
      return Buffer.concat([head, body])
    }
    const seg = '[0,10,1,-1,0,null,10]'
    for (const json of ['{', '{"version":2,"logs":[]}', '{"version":1}', '{"version":1,"logs":[1]}', `{"version":1,"logs":[["t",0,[],[]]]}`,
      `{"version":1,"logs":[["t",-1,[${seg}],[]]]}`, '{"version":1,"logs":[["t",0,[[0,10,1]],[]]]}', `{"version":1,"logs":[["t",0,[${seg},${seg}],[]]]}`,
      `{"version":1,"logs":[["t",0,[${seg}],[[1]]]]}`, '{"version":1,"logs":[["t",0,[[5,10,1,-1,0,null,10]],[]]]}', 'null']) {
      assert.equal(typeof decodeLogDirSummary(frame(json)), 'string', json)
    }
    assert.equal(typeof decodeLogDirSummary(Buffer.alloc(3)), 'string')
    assert.equal(typeof decodeLogDirSummary(good.subarray(0, good.length - 1)), 'string')
  })

  it('new partitions share the log dir fsyncs; each directory is fsynced before its first data fsync', { timeout: 30_000 }, async () => {
    const memory = new MemoryFileSystem()
    const { fs, calls } = counting(memory)
    const manager = await openManager(fs, config)
    calls.length = 0
    await Promise.all(Array.from({ length: 40 }, async (_, p) => await manager.createLog('many', p, config)))
    const logDirSyncs = calls.filter(([m, p]) => m === 'syncDir' && p === '/data').length
    assert.ok(logDirSyncs >= 1 && logDirSyncs < 40, `${logDirSyncs} fsyncs of the log dir for 40 partitions`)
    assert.equal(calls.filter(([m, p]) => m === 'syncDir' && p.startsWith('/data/many-')).length, 0)
    await manager.getLog('many', 3)!.append(simpleBatch(3, 1), { leaderEpoch: 0, durable: true })
    const dirSyncs = calls.filter(([m, p]) => m === 'syncDir' && p.startsWith('/data/many-')).map(([, p]) => p)
    assert.ok(dirSyncs.length >= 1 && dirSyncs.every((p) => p === '/data/many-3'), dirSyncs.join())
    // A power cut now keeps every partition directory, and the acknowledged records.
    await manager.abandon()
    memory.powerCut()
    const again = await openManager(memory, config)
    assert.equal(again.logs().length, 40)
    assert.equal(again.getLog('many', 3)!.logEndOffset, 3)
    await again.close()
  })

  it('a never-written partition closes without fsyncs of its own, and survives a power cut after the clean close', { timeout: 30_000 }, async () => {
    const memory = new MemoryFileSystem()
    const { fs, calls } = counting(memory)
    const manager = await openManager(fs, config)
    await manager.createLog('idle', 0, config)
    calls.length = 0
    await manager.close()
    assert.deepEqual(calls.filter(([, p]) => p.startsWith('/data/idle-0')), [], 'nothing written or fsynced for it')
    // The empty segment file's directory entry was never fsynced: a power cut may take it.
    memory.powerCut({ mode: 'drop' })
    assert.equal((await memory.readdir('/data/idle-0')).length, 0)
    const again = await openManager(memory, config)
    const log = again.getLog('idle', 0)!
    assert.equal((await log.append(simpleBatch(4, 1), { leaderEpoch: 0, durable: true })).baseOffset, 0)
    await again.abandon()
    memory.powerCut({ mode: 'drop' })
    const last = await openManager(memory, config)
    assert.equal(last.getLog('idle', 0)!.logEndOffset, 4, 'the segment made again was fsynced with its directory')
    await last.close()
  })
})

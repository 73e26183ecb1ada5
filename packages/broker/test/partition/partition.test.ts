import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildBatchSync } from '@brook/protocol'
import { defaultLogConfig, type FileHandle, LogManager, MemoryFileSystem, type OpenMode } from '@brook/storage'
import { Partition } from '../../src/partition/partition.js'
import { FetchPurgatory } from '../../src/purgatory/delayed-fetch.js'

/** fsyncs of .log files wait until `release()`: an fsync that takes as long as the test wants. */
class SlowSyncFs extends MemoryFileSystem {
  private gate: Promise<void> = Promise.resolve()
  private open_: () => void = () => {}
  hold (): void { this.gate = new Promise((resolve) => { this.open_ = resolve }) }
  release (): void { this.open_() }
  override async open (path: string, mode: OpenMode): Promise<FileHandle> {
    const fh = await super.open(path, mode)
    if (!path.endsWith('.log')) return fh
    return {
      read: async (buffer, offset, length, position) => await fh.read(buffer, offset, length, position),
      write: async (buffer, position) => { await fh.write(buffer, position) },
      writev: async (buffers, position) => { await fh.writev(buffers, position) },
      writevSync: (buffers, position) => { fh.writevSync(buffers, position) },
      truncate: async (length) => { await fh.truncate(length) },
      sync: async () => { await this.gate; await fh.sync() },
      datasync: async () => { await this.gate; await fh.datasync() },
      size: async () => await fh.size(),
      close: async () => { await fh.close() }
    }
  }
}

function batch (values: string[]): Buffer {
  return buildBatchSync({ records: values.map((v) => ({ key: null, value: Buffer.from(v), timestamp: 1000n })) })
}

test('the high watermark follows the write; an acks=all append still resolves only after the fsync', async () => {
  const fs = new SlowSyncFs()
  const manager = new LogManager({ fs, logDirs: ['/data'], defaults: defaultLogConfig, scheduler: false })
  await manager.open()
  const purgatory = new FetchPurgatory()
  const partition = new Partition(await manager.createOrGetLog('t', 0), purgatory)
  fs.hold()
  const woken = purgatory.wait([partition.key], 10_000)
  let resolved = false
  const durable = partition.append(batch(['a', 'b', 'c']), true).then((r) => { resolved = true; return r })
  // A long poll on the partition wakes once the write lands, before the fsync.
  assert.equal(await woken, true)
  assert.equal(partition.offsets().highWatermark, 3)
  const read = await partition.read(0, { maxBytes: 1 << 20, maxOffset: partition.offsets().highWatermark, minOneBatch: true })
  assert.ok(read.bytes > 0, 'the records are readable below the high watermark')
  assert.equal(resolved, false, 'the acks=all append waits for its fsync')
  fs.release()
  const result = await durable
  assert.deepEqual([result.baseOffset, result.lastOffset], [0, 2])
  // A non-durable append moves the high watermark when it resolves.
  const plain = await partition.append(batch(['d']), false)
  assert.equal(plain.baseOffset, 3)
  assert.equal(partition.offsets().highWatermark, 4)
  purgatory.close()
  await manager.close()
})

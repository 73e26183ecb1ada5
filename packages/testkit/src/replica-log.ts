// Reads a replica's partition log straight from its data directory, so that the cluster tests and
// the cluster-faults campaign can compare the replicas byte for byte once their brokers stopped.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** A batch's header up to its last offset delta: smaller leftovers are a torn tail. */
const MIN_HEADER = 61

/**
 * The bytes of a partition's log files (in segment order) holding its whole batches below `end`,
 * the high watermark: what every replica must hold the same.
 */
export async function replicaLogPrefix (dataDir: string, topic: string, partition: number, end: number): Promise<Buffer> {
  const dir = join(dataDir, `${topic}-${partition}`)
  const files = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort()
  const all = Buffer.concat(await Promise.all(files.map(async (f) => await readFile(join(dir, f)))))
  let pos = 0
  while (pos + MIN_HEADER <= all.length) {
    const base = Number(all.readBigInt64BE(pos))
    const size = 12 + all.readInt32BE(pos + 8)
    const last = base + all.readInt32BE(pos + 23)
    if (last >= end || pos + size > all.length) break
    pos += size
  }
  return all.subarray(0, pos)
}

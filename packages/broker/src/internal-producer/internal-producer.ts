// The broker appending into partitions as an idempotent producer of its own (scheduled delivery,
// exchange routing): a producer id allocated once and kept in a small file of the feature's
// directory, epoch 0, and the partition's producer state as the truth of what landed. A feature
// writes an intent (partition, base sequence, count) before each append; after a crash it asks
// `landed` whether the partition's state covers the intent, and `nextSequence` what to use next.
import type { FileSystem } from '@brook/storage'
import type { Partition } from '../partition/partition.js'

export const INTERNAL_PRODUCER_EPOCH = 0

/** The producer id kept in `dir/file`; allocated (and written durably) on the first start. */
export async function internalProducerId (fs: FileSystem, dir: string, file: string, allocate: () => Promise<number>): Promise<bigint> {
  const path = `${dir}/${file}`
  if (await fs.exists(path)) {
    const parsed = JSON.parse((await fs.readFile(path)).toString('utf8')) as { producerId?: unknown }
    if (typeof parsed.producerId !== 'number' || !Number.isSafeInteger(parsed.producerId)) throw new Error(`BROOK_BAD_INTERNAL_PRODUCER_FILE: ${path}`)
    return BigInt(parsed.producerId)
  }
  const id = await allocate()
  const fh = await fs.open(`${path}.tmp`, 'w+')
  try {
    await fh.write(Buffer.from(JSON.stringify({ version: 1, producerId: id }) + '\n'), 0)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await fs.rename(`${path}.tmp`, path)
  await fs.syncDir(dir)
  return BigInt(id)
}

/** The last sequence the partition holds from this producer, -1 when none. */
function lastSequence (partition: Partition, producerId: bigint): number {
  const state = partition.log.activeProducers().find((p) => p.producerId === producerId)
  return state === undefined || state.producerEpoch !== INTERNAL_PRODUCER_EPOCH ? -1 : state.lastSequence
}

/** The sequence the producer's next batch into the partition takes. */
export function nextSequence (partition: Partition, producerId: bigint): number {
  return lastSequence(partition, producerId) + 1
}

/** Whether the append of `count` records from `baseSequence` reached the partition. */
export function landed (partition: Partition, producerId: bigint, baseSequence: number, count: number): boolean {
  return lastSequence(partition, producerId) >= baseSequence + count - 1
}

// Producer id allocation for InitProducerId, unique across restarts. Ids are reserved in blocks
// (as Kafka's controller hands out blocks of 1000): the end of the reserved range is persisted
// in `brook-producer-ids.json` in the first log dir before any id of the block is handed out:
//   { "version": 1, "nextBlockStart": 3000 }
// Recovery rule: after a restart allocation starts at nextBlockStart, so an id handed out
// before a crash is never reused (at most one block is skipped). A missing file means 0.
import { join } from 'node:path'
import { SerialQueue } from '@brook/common'
import { readFileIfExists, writeFileAtomic } from '@brook/metadata'

const PRODUCER_IDS_FILE = 'brook-producer-ids.json'
export const BLOCK_SIZE = 1000

/** Where InitProducerId gets new ids: this file's allocator, or the cluster's blocks (cluster mode). */
export interface ProducerIdSource {
  allocate: () => Promise<number>
}

export class ProducerIdAllocator implements ProducerIdSource {
  private readonly path: string
  private next = 0
  private blockEnd = 0
  // Serialises block reservations: concurrent callers must not persist out of order.
  private readonly queue = new SerialQueue()

  private constructor (path: string) {
    this.path = path
  }

  static async open (dir: string): Promise<ProducerIdAllocator> {
    const allocator = new ProducerIdAllocator(join(dir, PRODUCER_IDS_FILE))
    const text = await readFileIfExists(allocator.path)
    if (text !== null) {
      const parsed = JSON.parse(text) as { version?: unknown, nextBlockStart?: unknown }
      if (parsed.version !== 1 || !Number.isSafeInteger(parsed.nextBlockStart)) {
        throw new Error(`BROOK_BAD_PRODUCER_IDS_FILE: ${allocator.path}`)
      }
      allocator.next = allocator.blockEnd = parsed.nextBlockStart as number
    }
    return allocator
  }

  async allocate (): Promise<number> {
    return await this.queue.run(async () => {
      if (this.next >= this.blockEnd) {
        const end = this.next + BLOCK_SIZE
        await writeFileAtomic(this.path, JSON.stringify({ version: 1, nextBlockStart: end }) + '\n')
        this.blockEnd = end
      }
      return this.next++
    })
  }
}

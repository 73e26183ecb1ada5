// Producer ids in cluster mode: blocks of ids from the metadata store's counter (allocated by
// compare-and-swap, never handed out twice on any broker), used up one id at a time. A block
// left unused when the broker stops is skipped, never reused.
import { SerialQueue } from '@brook/common'
import type { BrokerSession } from '@brook/metadata'
import type { ProducerIdSource } from '../txn/producer-ids.js'

export class ProducerIdBlocks implements ProducerIdSource {
  private next = 0n
  private end = 0n
  private readonly queue = new SerialQueue()

  constructor (private readonly session: () => Promise<BrokerSession>) {}

  async allocate (): Promise<number> {
    return await this.queue.run(async () => {
      if (this.next >= this.end) {
        const block = await (await this.session()).allocateProducerIds()
        this.next = block.firstProducerId
        this.end = block.firstProducerId + BigInt(block.size)
      }
      const id = this.next
      this.next += 1n
      return Number(id)
    })
  }
}

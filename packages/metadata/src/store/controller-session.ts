// One won controller election: its epoch and the revision of the controller key it wrote, which
// is the fence of every write made "as controller".
import type { ControllerSession } from '../cluster-metadata.js'
import type { StoreContext } from './store-context.js'

export class KvControllerSession implements ControllerSession {
  constructor (
    private readonly ctx: StoreContext,
    readonly brokerId: number,
    readonly epoch: number,
    /** Revision of the controller key this election wrote: the controller fence. */
    readonly revision: number
  ) {}

  get active (): boolean {
    const c = this.ctx.mirror.snapshot().controller
    return c !== null && c.brokerId === this.brokerId && c.epoch === this.epoch
  }

  async resign (): Promise<void> {
    const { kv, keys } = this.ctx
    await kv.txn({
      compares: [{ key: keys.controller, target: 'mod', revision: this.revision }],
      success: [{ type: 'delete', key: keys.controller }]
    })
  }
}

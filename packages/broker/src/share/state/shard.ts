// One partition of `__share_group_state`: the latest durable state of every share-partition whose
// key it owns, changed only by replay (a snapshot replaces, an update merges, a tombstone deletes).
import type { CoordinatorShard } from '../../coordinator/runtime.js'
import { type ShareStateRecord, type ShareStateSnapshot, type StateBatch, stateKey } from './records.js'

export class ShareStateShard implements CoordinatorShard<ShareStateRecord> {
  readonly partition: number
  readonly states = new Map<string, ShareStateSnapshot>()
  /** Share-partitions per group (to list and delete a group's state). */
  readonly byGroup = new Map<string, Map<string, ShareStateRecord['key']>>()

  constructor (partition: number) {
    this.partition = partition
  }

  replay (record: ShareStateRecord): void {
    const key = stateKey(record.key)
    if (record.value === null) {
      this.states.delete(key)
      const group = this.byGroup.get(record.key.groupId)
      group?.delete(key)
      if (group?.size === 0) this.byGroup.delete(record.key.groupId)
      return
    }
    const current = this.states.get(key)
    const next = record.kind === 'snapshot' || current === undefined
      ? record.value
      : { ...current, startOffset: record.value.startOffset, batches: mergeBatches(current.batches, record.value.batches, record.value.startOffset) }
    this.states.set(key, next)
    let group = this.byGroup.get(record.key.groupId)
    if (group === undefined) this.byGroup.set(record.key.groupId, group = new Map())
    group.set(key, record.key)
  }

  replayEndTransaction (): void {
    // Share state is never written transactionally.
  }
}

/** Kafka's update semantics: the update's batches win where they overlap; batches before the start offset go. */
function mergeBatches (base: StateBatch[], update: StateBatch[], startOffset: number): StateBatch[] {
  const out: StateBatch[] = []
  for (const b of base) {
    let pieces: StateBatch[] = [b]
    for (const u of update) {
      pieces = pieces.flatMap((p) => {
        if (u.lastOffset < p.firstOffset || u.firstOffset > p.lastOffset) return [p]
        const rest: StateBatch[] = []
        if (p.firstOffset < u.firstOffset) rest.push({ ...p, lastOffset: u.firstOffset - 1 })
        if (p.lastOffset > u.lastOffset) rest.push({ ...p, firstOffset: u.lastOffset + 1 })
        return rest
      })
    }
    out.push(...pieces)
  }
  out.push(...update)
  return out
    .filter((b) => b.lastOffset >= startOffset)
    .map((b) => b.firstOffset < startOffset ? { ...b, firstOffset: startOffset } : b)
    .sort((a, b) => a.firstOffset - b.firstOffset)
}

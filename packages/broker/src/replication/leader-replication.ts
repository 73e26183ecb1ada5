// What the leader of a replicated partition knows about its followers (Kafka's Partition +
// ReplicaState): each follower's log end offset (the offset it last fetched from), when it was
// last caught up, the ISR as committed in the metadata store, and the high watermark, which is the
// smallest log end offset over the ISR (the leader's own included). It also holds the acks=all
// produce requests waiting for the high watermark to pass their batch (the delayed-produce
// purgatory): they complete when it does, fail when leadership is lost, and time out otherwise.
//
// ISR changes are proposed, never applied locally: the leader asks the store (alterPartition,
// compare-and-swap on its leader epoch and the partition epoch) and takes the new ISR when the
// store's snapshot shows it. While an expansion is pending the high watermark already counts the
// joining follower (Kafka's "maximal ISR"), so it never moves past a replica about to be in
// the ISR; a pending shrink does not count until committed.
import { ErrorCode } from '@brook/protocol'
import type { PartitionLog } from '@brook/storage'
import { KafkaError } from '../errors.js'

export interface FollowerProgress {
  /** The follower's log end offset: the offset of its last fetch; -1 until it fetched. */
  logEndOffset: number
  /** When its log end last reached the leader's (ms); the ISR lag check compares against it. */
  lastCaughtUpMs: number
  lastFetchMs: number
  /** The leader's log end at the follower's previous fetch. */
  leaderEndAtLastFetch: number
}

export interface IsrProposal {
  isr: number[]
  leaderEpoch: number
  partitionEpoch: number
}

interface CommitWaiter {
  offset: number
  minIsr: number
  resolve: (code: number) => void
  timer: NodeJS.Timeout
}

export class LeaderReplication {
  readonly followers = new Map<number, FollowerProgress>()
  /** The ISR as committed in the store. */
  isr: number[]
  partitionEpoch: number
  private pendingIsr: number[] | null = null
  private waiters: CommitWaiter[] = []
  private closed = false

  constructor (
    /** The partition's current log: AlterReplicaLogDirs may replace it while this broker leads. */
    private readonly logOf: () => PartitionLog,
    readonly localId: number,
    readonly leaderEpoch: number,
    replicas: readonly number[],
    isr: readonly number[],
    partitionEpoch: number,
    private readonly propose: (proposal: IsrProposal) => void,
    private readonly onHighWatermark: () => void,
    now: number
  ) {
    this.isr = [...isr]
    this.partitionEpoch = partitionEpoch
    for (const id of replicas) {
      if (id === localId) continue
      // ISR members start as caught up: a new leader does not shrink them before they had a
      // chance to fetch (Kafka resets lastCaughtUpTime on becoming leader the same way).
      this.followers.set(id, { logEndOffset: -1, lastCaughtUpMs: isr.includes(id) ? now : 0, lastFetchMs: 0, leaderEndAtLastFetch: -1 })
    }
  }

  private get log (): PartitionLog {
    return this.logOf()
  }

  /**
   * The store's state changed (ISR committed, partition epoch moved, and during a reassignment the
   * replica set: joining replicas are tracked from now on, leaving ones forgotten).
   */
  update (isr: readonly number[], partitionEpoch: number, replicas?: readonly number[]): void {
    if (replicas !== undefined) {
      for (const id of this.followers.keys()) if (!replicas.includes(id)) this.followers.delete(id)
      for (const id of replicas) {
        if (id !== this.localId && !this.followers.has(id)) this.followers.set(id, { logEndOffset: -1, lastCaughtUpMs: 0, lastFetchMs: 0, leaderEndAtLastFetch: -1 })
      }
    }
    this.isr = [...isr]
    this.partitionEpoch = partitionEpoch
    this.pendingIsr = null
    this.maybeAdvanceHighWatermark()
    this.checkMinIsrWaiters()
  }

  /** A follower fetched from `fetchOffset`: that is its log end offset. */
  recordFetch (followerId: number, fetchOffset: number, now: number): void {
    const progress = this.followers.get(followerId)
    if (progress === undefined) return
    const leaderEnd = this.log.logEndOffset
    if (fetchOffset >= leaderEnd) progress.lastCaughtUpMs = now
    else if (fetchOffset >= progress.leaderEndAtLastFetch && progress.leaderEndAtLastFetch >= 0) progress.lastCaughtUpMs = Math.max(progress.lastCaughtUpMs, progress.lastFetchMs)
    progress.logEndOffset = fetchOffset
    progress.lastFetchMs = now
    progress.leaderEndAtLastFetch = leaderEnd
    this.maybeExpand(followerId, progress)
    this.maybeAdvanceHighWatermark()
  }

  /** The leader's own log grew: with no other ISR member the high watermark follows it. */
  onAppend (): void {
    this.maybeAdvanceHighWatermark()
  }

  /** ISR members that have not caught up for `maxLagMs` are proposed for removal. */
  checkLag (now: number, maxLagMs: number): void {
    if (this.pendingIsr !== null || this.closed) return
    const leaderEnd = this.log.logEndOffset
    const lagging = this.isr.filter((id) => {
      if (id === this.localId) return false
      const progress = this.followers.get(id)
      return progress !== undefined && progress.logEndOffset < leaderEnd && now - progress.lastCaughtUpMs > maxLagMs
    })
    if (lagging.length === 0) return
    const isr = this.isr.filter((id) => !lagging.includes(id))
    this.pendingIsr = isr
    this.propose({ isr, leaderEpoch: this.leaderEpoch, partitionEpoch: this.partitionEpoch })
  }

  /** A proposal failed (stale epoch, store unreachable): the next fetch or lag check retries. */
  proposalFailed (): void {
    this.pendingIsr = null
  }

  /**
   * Resolves with NONE once the high watermark passes `offset` with at least minIsr replicas in
   * the ISR; NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below it; REQUEST_TIMED_OUT;
   * NOT_LEADER_OR_FOLLOWER when leadership was lost.
   */
  async waitForCommit (offset: number, minIsr: number, timeoutMs: number): Promise<number> {
    if (this.closed) return ErrorCode.NOT_LEADER_OR_FOLLOWER
    const ready = this.commitState(offset, minIsr)
    if (ready !== null) return ready
    return await new Promise<number>((resolve) => {
      const waiter: CommitWaiter = {
        offset,
        minIsr,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter)
          resolve(ErrorCode.REQUEST_TIMED_OUT)
        }, Math.max(0, timeoutMs))
      }
      this.waiters.push(waiter)
    })
  }

  /** Leadership ended: every waiting produce answers NOT_LEADER_OR_FOLLOWER. */
  close (): void {
    this.closed = true
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer)
      waiter.resolve(ErrorCode.NOT_LEADER_OR_FOLLOWER)
    }
  }

  /** min.insync.replicas before an acks=all append: NOT_ENOUGH_REPLICAS when the ISR is smaller. */
  checkMinIsr (minIsr: number): void {
    if (this.isr.length < minIsr) {
      throw new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS,
        `The size of the current ISR ${JSON.stringify(this.isr)} is insufficient to satisfy the min.isr requirement of ${minIsr}`)
    }
  }

  private commitState (offset: number, minIsr: number): number | null {
    if (this.log.highWatermark < offset) return null
    return this.isr.length >= minIsr ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND
  }

  private checkMinIsrWaiters (): void {
    this.waiters = this.waiters.filter((w) => {
      const state = this.commitState(w.offset, w.minIsr)
      if (state === null) return true
      clearTimeout(w.timer)
      w.resolve(state)
      return false
    })
  }

  /** A follower outside the ISR rejoins once it has everything up to the high watermark and this leader's epoch start. */
  private maybeExpand (followerId: number, progress: FollowerProgress): void {
    if (this.closed || this.pendingIsr !== null || this.isr.includes(followerId)) return
    const epochStart = this.log.leaderEpochEntries().find((e) => e.epoch === this.leaderEpoch)?.startOffset ?? 0
    if (progress.logEndOffset < this.log.highWatermark || progress.logEndOffset < epochStart) return
    const isr = [...this.isr, followerId]
    this.pendingIsr = isr
    this.propose({ isr, leaderEpoch: this.leaderEpoch, partitionEpoch: this.partitionEpoch })
  }

  private maybeAdvanceHighWatermark (): void {
    if (this.closed) return
    const members = new Set(this.isr)
    // A pending expansion counts at once; a pending shrink only once committed.
    for (const id of this.pendingIsr ?? []) members.add(id)
    let hw = this.log.logEndOffset
    for (const id of members) {
      if (id === this.localId) continue
      const progress = this.followers.get(id)
      hw = Math.min(hw, progress === undefined ? -1 : progress.logEndOffset)
    }
    if (hw > this.log.highWatermark && this.log.maybeIncrementHighWatermark(hw)) {
      this.onHighWatermark()
      this.checkMinIsrWaiters()
    }
  }
}

// A share session with one broker (KIP-932): the share-partitions the broker keeps for this member
// and the epoch the next ShareFetch / ShareAcknowledge carries. Epoch 0 opens the session (and
// must carry no acknowledgements: the broker releases what an older session held), every answered
// request moves the epoch on (wrapping to 1, never 0), and -1 closes it. Later requests name only
// partitions new to the session or with acknowledgements, and list those to forget.
// Requests of one session run one at a time: the epoch orders them.

export interface ShareRef { topicId: string, partition: number }

export const refKey = (r: ShareRef): string => `${r.topicId}:${r.partition}`

const OPEN_EPOCH = 0
export const CLOSE_EPOCH = -1

export interface SessionPlan {
  epoch: number
  /** Partitions to name in the request (new ones, and ones with acknowledgements). */
  send: ShareRef[]
  forgotten: ShareRef[]
}

export class ShareSession {
  epoch = OPEN_EPOCH
  /** The member the broker keeps this session for: a member that joins again under a new id has none. */
  memberId = ''
  private readonly held = new Map<string, ShareRef>()
  private tail: Promise<unknown> = Promise.resolve()

  get open (): boolean { return this.epoch !== OPEN_EPOCH }

  /** Runs `task` after the session's earlier requests. */
  async serial<T> (task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task)
    // The caller awaits `run` and gets its error; the chain only orders the next request.
    this.tail = run.catch(() => {})
    return await run
  }

  plan (wanted: readonly ShareRef[], withAcks: readonly ShareRef[]): SessionPlan {
    const wantedKeys = new Set(wanted.map(refKey))
    const send = new Map<string, ShareRef>()
    for (const r of wanted) if (!this.open || !this.held.has(refKey(r))) send.set(refKey(r), r)
    for (const r of withAcks) send.set(refKey(r), r)
    const forgotten: ShareRef[] = []
    if (this.open) {
      for (const [k, r] of this.held) if (!wantedKeys.has(k)) forgotten.push(r)
      // Acknowledged but no longer assigned: named for its acknowledgements, then forgotten.
      for (const r of withAcks) if (!wantedKeys.has(refKey(r)) && !this.held.has(refKey(r))) forgotten.push(r)
    }
    return { epoch: this.epoch, send: [...send.values()], forgotten }
  }

  /** The broker answered `plan` without a session error. */
  answered (plan: SessionPlan): void {
    if (plan.epoch === CLOSE_EPOCH) { this.reset(); return }
    for (const r of plan.send) this.held.set(refKey(r), r)
    for (const r of plan.forgotten) this.held.delete(refKey(r))
    this.epoch = this.epoch >= 0x7fffffff ? 1 : this.epoch + 1
  }

  /** Starts afresh when the member id changed (the broker keys sessions by group and member). */
  forMember (memberId: string): void {
    if (this.memberId === memberId) return
    this.reset()
    this.memberId = memberId
  }

  /** The session is gone (refused, closed, or the connection failed): the next request opens one. */
  reset (): void {
    this.epoch = OPEN_EPOCH
    this.held.clear()
  }
}

/** Groups refs into the wire's per-topic lists. */
export function byTopicId<T extends ShareRef, R> (refs: readonly T[], partition: (r: T) => R): Array<{ topicId: string, partitions: R[] }> {
  const out = new Map<string, R[]>()
  for (const r of refs) {
    let list = out.get(r.topicId)
    if (list === undefined) { list = []; out.set(r.topicId, list) }
    list.push(partition(r))
  }
  return [...out].map(([topicId, partitions]) => ({ topicId, partitions }))
}

// An incremental fetch session with one broker (KIP-227). The first Fetch is a full one (session
// id 0, epoch 0) and the broker answers with a session id; later Fetches name only the
// partitions whose fetch offset or byte limit changed, plus the ones to forget, and the broker
// answers only partitions with something to say (records, an error, a new high watermark).
// The broker keeps each partition's fetch offset from the last request that named it, so a
// partition the client does not mention is fetched from where it was last asked for.
// An error about the session itself (unknown id, wrong epoch) starts a new one with a full Fetch.
import { ErrorCode } from '@brook/protocol'

export interface SessionPartition { topic: string, partition: number, fetchOffset: bigint, maxBytes: number }

export interface SessionRequest {
  sessionId: number
  sessionEpoch: number
  /** The partitions to send (all of them in a full request). */
  send: SessionPartition[]
  forgotten: Array<{ topic: string, partitions: number[] }>
  full: boolean
}

const INITIAL_EPOCH = 0
const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`

export class FetchSession {
  private id = 0
  private epoch = INITIAL_EPOCH
  /** What the broker's session holds for each partition, as of the last answered request. */
  private held = new Map<string, SessionPartition>()

  /** The request for these partitions (the whole set the consumer wants now). */
  build (wanted: readonly SessionPartition[]): SessionRequest {
    if (this.id === 0) return { sessionId: 0, sessionEpoch: INITIAL_EPOCH, send: [...wanted], forgotten: [], full: true }
    const send: SessionPartition[] = []
    const wantedKeys = new Set<string>()
    for (const p of wanted) {
      const k = key(p.topic, p.partition)
      wantedKeys.add(k)
      const held = this.held.get(k)
      if (held === undefined || held.fetchOffset !== p.fetchOffset || held.maxBytes !== p.maxBytes) send.push(p)
    }
    const forgottenByTopic = new Map<string, number[]>()
    for (const [k, p] of this.held) {
      if (wantedKeys.has(k)) continue
      let list = forgottenByTopic.get(p.topic)
      if (list === undefined) { list = []; forgottenByTopic.set(p.topic, list) }
      list.push(p.partition)
    }
    return { sessionId: this.id, sessionEpoch: this.epoch, send, forgotten: [...forgottenByTopic].map(([topic, partitions]) => ({ topic, partitions })), full: false }
  }

  /**
   * Records the broker's answer to `request`. Returns false when the session was refused (the
   * caller fetches again, fully).
   */
  answered (request: SessionRequest, errorCode: number, sessionId: number): boolean {
    if (errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND || errorCode === ErrorCode.INVALID_FETCH_SESSION_EPOCH || errorCode === ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR) {
      this.reset()
      return false
    }
    if (errorCode !== ErrorCode.NONE) return true
    if (request.full) {
      this.held = new Map(request.send.map((p) => [key(p.topic, p.partition), p]))
      // Session id 0: the broker keeps no session (cache full, or it has none); stay on full fetches.
      this.id = sessionId
      this.epoch = sessionId === 0 ? INITIAL_EPOCH : 1
      return true
    }
    for (const p of request.send) this.held.set(key(p.topic, p.partition), p)
    for (const f of request.forgotten) for (const partition of f.partitions) this.held.delete(key(f.topic, partition))
    this.epoch = this.epoch === 0x7fffffff ? 1 : this.epoch + 1
    return true
  }

  /** Forgets the session: the next request is a full one. */
  reset (): void {
    this.id = 0
    this.epoch = INITIAL_EPOCH
    this.held.clear()
  }
}

// A follower replica copying its leader's log (Kafka's ReplicaFetcherThread, one per partition
// here): first it finds where its log diverges from the leader's with OffsetForLeaderEpoch
// (KIP-101, iterated as KIP-279 does when the leader answers with an epoch the follower lacks)
// and truncates there; then it fetches with the Fetch API as a replica (replica id, current
// leader epoch, from its log end), appends what it gets with appendAsFollower, fsynced before
// the next fetch reports the new log end to the leader (Brook's rule: an ISR member only counts
// what is on its disk), and takes the leader's high watermark, capped at its own log end, and
// the leader's log start (DeleteRecords, retention), capped at its own high watermark.
// A fetch offset the leader refuses (OFFSET_OUT_OF_RANGE) restarts the log at the leader's log
// start when it is below it, else repeats the truncation.
// Errors back off (replica.fetch.backoff.ms) and retry; a fenced or unknown epoch waits for the
// metadata change that restarts the fetcher with the new leader and epoch.
import type { Logger } from '@brook/common'
import {
  ErrorCode, fetchApi, type FetchResponsePartitionData, listOffsetsApi, offsetForLeaderEpochApi
} from '@brook/protocol'
import type { Partition } from '../partition/partition.js'
import type { PeerAddress } from '../cluster/endpoints.js'
import { PeerClient } from './peer-client.js'
import type { ReplicationQuota } from './replication-quota.js'

/** Fetch v12: replica id in the request, topic names (not ids), flexible. */
const FETCH_VERSION = 12
const OFFSET_FOR_LEADER_EPOCH_VERSION = 4
const LIST_OFFSETS_VERSION = 7
const EARLIEST = -2n

export interface FetcherSettings {
  localId: number
  leaderId: number
  leaderEpoch: number
  /** The leader's address and how to connect to it; null when it is not registered (the fetcher waits). */
  leaderAddress: () => PeerAddress | null
  maxWaitMs: number
  maxBytes: number
  backoffMs: number
  requestTimeoutMs: number
  logger: Logger
  /** Follower-side replication throttle: while `active()`, fetches wait for the quota. */
  throttle?: { active: () => boolean, quota: ReplicationQuota }
}

export class ReplicaFetcher {
  private readonly abort = new AbortController()
  private client: PeerClient | null = null
  readonly done: Promise<void>

  constructor (private readonly partition: Partition, private readonly settings: FetcherSettings) {
    this.done = this.run().catch((err: unknown) => {
      settings.logger.error({ err, partition: partition.key }, 'replica fetcher stopped on an unexpected error')
    })
  }

  /** Stops fetching; resolves once no fetch or append of this fetcher is in progress. */
  async stop (): Promise<void> {
    this.abort.abort()
    this.client?.close()
    await this.done
  }

  private get stopped (): boolean {
    return this.abort.signal.aborted
  }

  private async run (): Promise<void> {
    let truncated = false
    while (!this.stopped) {
      try {
        const client = await this.connect()
        if (client === null) {
          await this.sleep(this.settings.backoffMs)
          continue
        }
        if (!truncated) {
          await this.truncate(client)
          truncated = true
        }
        const outcome = await this.fetchOnce(client)
        if (outcome === 'out-of-range') truncated = await this.outOfRange(client)
        if (outcome === 'backoff') await this.sleep(this.settings.backoffMs)
      } catch (err) {
        if (this.stopped) return
        this.settings.logger.debug({ err, partition: this.partition.key, leader: this.settings.leaderId }, 'replica fetch failed; retrying')
        this.client?.close()
        this.client = null
        await this.sleep(this.settings.backoffMs)
      }
    }
  }

  private async connect (): Promise<PeerClient | null> {
    if (this.client !== null && !this.client.closed) return this.client
    const address = this.settings.leaderAddress()
    if (address === null) return null
    this.client = await PeerClient.connect(address.host, address.port, `brook-replica-${this.settings.localId}`, this.settings.requestTimeoutMs, address.security)
    return this.client
  }

  /** The divergence point with the leader's log, by leader epochs; truncates there. */
  private async truncate (client: PeerClient): Promise<void> {
    const log = this.partition.log
    let epoch = log.latestEpoch
    while (epoch !== null && epoch >= 0 && !this.stopped) {
      const response = await client.send(offsetForLeaderEpochApi, OFFSET_FOR_LEADER_EPOCH_VERSION, {
        replicaId: this.settings.localId,
        topics: [{ topic: this.partition.topic, partitions: [{ partition: this.partition.index, currentLeaderEpoch: this.settings.leaderEpoch, leaderEpoch: epoch }] }]
      }, this.settings.requestTimeoutMs)
      const answer = response.topics[0]?.partitions[0]
      if (answer === undefined) throw new Error('OffsetForLeaderEpoch answered without the partition')
      if (answer.errorCode !== ErrorCode.NONE) throw new Error(`OffsetForLeaderEpoch: error ${answer.errorCode}`)
      const leaderEpoch = answer.leaderEpoch ?? -1
      const leaderEnd = Number(answer.endOffset)
      if (leaderEpoch < 0 || leaderEnd < 0) {
        // The leader knows no epoch this old: keep only what is known committed.
        await this.truncateTo(log.highWatermark)
        return
      }
      const local = log.endOffsetForEpoch(leaderEpoch)
      if (local.leaderEpoch === leaderEpoch) {
        await this.truncateTo(Math.min(leaderEnd, local.endOffset))
        return
      }
      // The leader's epoch is one this log never had: ask again from the largest epoch below it.
      epoch = local.leaderEpoch < 0 ? null : local.leaderEpoch
      if (epoch === null) await this.truncateTo(Math.min(leaderEnd, log.highWatermark))
    }
  }

  private async truncateTo (offset: number): Promise<void> {
    const log = this.partition.log
    if (offset >= log.logEndOffset) return
    this.partition.readAhead.drop()
    this.settings.logger.info({ partition: this.partition.key, from: log.logEndOffset, to: offset, leader: this.settings.leaderId }, 'follower truncating its divergent tail')
    await log.truncateTo(offset)
  }

  /**
   * The leader refused the fetch offset: below its log start (this replica was away while the
   * leader deleted old segments) the log restarts at the leader's log start; otherwise it is past
   * the leader's end and the divergence point is looked up again. Returns whether the log is in
   * step with the leader.
   */
  private async outOfRange (client: PeerClient): Promise<boolean> {
    const response = await client.send(listOffsetsApi, LIST_OFFSETS_VERSION, {
      replicaId: this.settings.localId,
      isolationLevel: 0,
      topics: [{ name: this.partition.topic, partitions: [{ partitionIndex: this.partition.index, currentLeaderEpoch: this.settings.leaderEpoch, timestamp: EARLIEST }] }]
    }, this.settings.requestTimeoutMs)
    const answer = response.topics[0]?.partitions[0]
    if (answer === undefined || answer.errorCode !== ErrorCode.NONE) throw new Error(`ListOffsets: error ${answer?.errorCode ?? 'missing'}`)
    const leaderStart = Number(answer.offset)
    const log = this.partition.log
    if (log.logEndOffset < leaderStart) {
      this.settings.logger.warn({ partition: this.partition.key, logEnd: log.logEndOffset, leaderStart }, 'follower behind the leader\'s log start: restarting its log there')
      this.partition.readAhead.drop()
      await log.truncateFullyAndStartAt(leaderStart)
      return true
    }
    return false
  }

  /** One fetch and append, and what the fetcher should do next. */
  private async fetchOnce (client: PeerClient): Promise<'ok' | 'backoff' | 'out-of-range'> {
    const log = this.partition.log
    const throttle = this.settings.throttle
    const throttled = throttle?.active() === true
    // Waits in steps of at most a second, so that a stop or a lifted throttle is seen soon.
    while (throttled && !this.stopped && throttle !== undefined && throttle.active()) {
      const waitMs = throttle.quota.waitMs()
      if (waitMs <= 0) break
      await this.sleep(Math.min(waitMs, 1000))
    }
    if (this.stopped) return 'ok'
    const fetchOffset = log.logEndOffset
    const response = await client.send(fetchApi, FETCH_VERSION, {
      replicaId: this.settings.localId,
      maxWaitMs: this.settings.maxWaitMs,
      minBytes: 1,
      maxBytes: this.settings.maxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{
        topic: this.partition.topic,
        partitions: [{
          partition: this.partition.index,
          currentLeaderEpoch: this.settings.leaderEpoch,
          fetchOffset: BigInt(fetchOffset),
          lastFetchedEpoch: -1,
          logStartOffset: BigInt(log.logStartOffset),
          partitionMaxBytes: this.settings.maxBytes
        }]
      }],
      forgottenTopicsData: [],
      rackId: ''
    }, this.settings.requestTimeoutMs + this.settings.maxWaitMs)
    if (this.stopped) return 'ok'
    if (response.errorCode !== undefined && response.errorCode !== ErrorCode.NONE) throw new Error(`Fetch: error ${response.errorCode}`)
    const data: FetchResponsePartitionData | undefined = response.responses[0]?.partitions[0]
    if (data === undefined) throw new Error('Fetch answered without the partition')
    if (data.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) return 'out-of-range'
    if (data.errorCode !== ErrorCode.NONE) {
      this.settings.logger.debug({ partition: this.partition.key, errorCode: data.errorCode }, 'leader refused the replica fetch')
      return 'backoff'
    }
    const records = data.records
    const bytes = records === null || records === undefined ? Buffer.alloc(0) : Buffer.isBuffer(records) ? records : Buffer.concat(records)
    // AlterReplicaLogDirs may have moved the replica to a new log during the fetch: what was
    // fetched for the old one is dropped, and the next fetch starts from the new log's end.
    if (bytes.length > 0 && log.logEndOffset === fetchOffset && this.partition.log === log) {
      await log.appendAsFollower(bytes, { durable: true })
      if (throttled) throttle?.quota.record(bytes.length)
    }
    if (!this.stopped) this.partition.setFollowerHighWatermark(Number(data.highWatermark))
    if (!this.stopped) await this.followLogStart(Number(data.logStartOffset))
    return 'ok'
  }

  /**
   * The leader's log start moved (DeleteRecords, retention): this replica's follows, never past
   * its own high watermark (Kafka's follower does the same with the fetch's log_start_offset), so
   * that what was deleted stays deleted when this replica leads.
   */
  private async followLogStart (leaderLogStart: number): Promise<void> {
    const log = this.partition.log
    const target = Math.min(leaderLogStart, log.highWatermark)
    if (target <= log.logStartOffset) return
    await log.deleteRecordsBefore(target)
    this.settings.logger.debug({ partition: this.partition.key, logStartOffset: target }, 'log start moved with the leader\'s')
  }

  private async sleep (ms: number): Promise<void> {
    if (this.stopped) return
    const signal = this.abort.signal
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done (): void {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
      signal.addEventListener('abort', done, { once: true })
    })
  }
}

// ShareFetch and ShareAcknowledge over the share service (KIP-932):
//
//   ShareFetch:  session (open / check epoch / close) -> session partitions += topics, -= forgotten
//                -> piggy-backed acknowledgements, per partition -> acquire from the session's
//                partitions up to MaxRecords / MaxBytes -> nothing yet? wait (purgatory) until an
//                append or a release wakes it, or MaxWaitMs
//   ShareAcknowledge: session (check epoch / close) -> acknowledgements, per partition
//
// Closing a session (epoch -1) applies its acknowledgements, then returns whatever the member
// still holds to the queue. Errors about the request or session are top-level codes; errors
// about one partition (unknown topic id, bad batches, records not acquired by the member) are
// that partition's, and other partitions proceed.
import type {
  ShareAcknowledgeRequest, ShareAcknowledgeResponse, ShareFetchRequest, ShareFetchResponse
} from '@brook/protocol'
import { ErrorCode } from '@brook/protocol'
import { KafkaError, mapError } from '../errors.js'
import { partitionKey } from '../purgatory/delayed-fetch.js'
import { type WireAckBatch, checkAckBatches } from './acks.js'
import { InvalidRecordStateError } from './partition/in-flight.js'
import type { ShareService } from './service.js'
import { CLOSE_EPOCH, OPEN_EPOCH, type SharePartitionRef, type ShareSession } from './session.js'

type FetchPartitionData = ShareFetchResponse['responses'][number]['partitions'][number]
type AckPartitionData = ShareAcknowledgeResponse['responses'][number]['partitions'][number]

const DEFAULT_MAX_RECORDS = 500
// librdkafka reads a null Records field as a bad MessageSetSize: Kafka answers empty records, never null.
const EMPTY_RECORDS = Buffer.alloc(0)

interface AckOutcome {
  code: number
  message: string | null
}

function refKey (r: SharePartitionRef): string {
  return `${r.topicId}:${r.partition}`
}

/** Applies one partition's acknowledgements for the member. */
async function acknowledgePartition (share: ShareService, groupId: string, memberId: string, ref: SharePartitionRef, wire: readonly WireAckBatch[], renewAllowed: boolean): Promise<AckOutcome> {
  const checked = checkAckBatches(wire, renewAllowed)
  if (!checked.ok) return { code: checked.code, message: checked.message }
  try {
    const sp = await share.partitions.get(groupId, ref.topicId, ref.partition)
    await sp.acknowledge(memberId, checked.batches)
    return { code: 0, message: null }
  } catch (err) {
    if (err instanceof InvalidRecordStateError) return { code: ErrorCode.INVALID_RECORD_STATE, message: err.message }
    const mapped = mapError(err, share.logger, { groupId, topicId: ref.topicId, partition: ref.partition })
    return { code: mapped.code, message: mapped.message }
  }
}

function leaderOf (share: ShareService, ref: SharePartitionRef, nodeId: number): { leaderId: number, leaderEpoch: number } {
  const p = share.replicas.topicById(ref.topicId)?.partitions[ref.partition]
  return p === undefined ? { leaderId: -1, leaderEpoch: -1 } : { leaderId: nodeId, leaderEpoch: p.leaderEpoch }
}

/** The session the request runs in (opened, continued or closing), or a KafkaError for the top level. */
async function sessionFor (share: ShareService, groupId: string, memberId: string, epoch: number, acks: boolean): Promise<ShareSession | null> {
  if (epoch === OPEN_EPOCH) {
    if (acks) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Acknowledge data present on initial fetch.')
    const { session, replaced } = share.sessions.open(groupId, memberId)
    // A member opening a new session dropped what it held under the old one: released before
    // this fetch acquires anything, so the release cannot take records the new session gets.
    if (replaced) await share.partitions.releaseMember(groupId, memberId)
    return session
  }
  const session = share.sessions.expect(groupId, memberId, epoch)
  if (epoch === CLOSE_EPOCH) return null
  return session
}

export async function shareFetch (share: ShareService, req: ShareFetchRequest, nodeId: number, stopping: () => boolean): Promise<Omit<ShareFetchResponse, 'throttleTimeMs'>> {
  const groupId = req.groupId ?? ''
  const memberId = req.memberId ?? ''
  const empty = { errorMessage: null, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] }
  if (groupId === '' || memberId === '') return { ...empty, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'GroupId and MemberId are required.' }
  const hasAcks = req.topics.some((t) => t.partitions.some((p) => p.acknowledgementBatches.length > 0))
  let session: ShareSession | null
  try {
    session = await sessionFor(share, groupId, memberId, req.shareSessionEpoch, hasAcks)
  } catch (err) {
    const mapped = mapError(err, share.logger)
    return { ...empty, errorCode: mapped.code, errorMessage: mapped.message }
  }
  const closing = session === null
  const existing = share.sessions.get(groupId, memberId)
  if (session !== null) {
    for (const t of req.topics) for (const p of t.partitions) session.add({ topicId: t.topicId, partition: p.partitionIndex })
    for (const t of req.forgottenTopicsData) for (const partition of t.partitions) session.forget({ topicId: t.topicId, partition })
    if (req.shareSessionEpoch !== OPEN_EPOCH) session.bump()
  }

  // Piggy-backed acknowledgements, every partition at once.
  const renewAllowed = req.isRenewAck === true
  const out = new Map<string, FetchPartitionData & { topicId: string }>()
  const answer = (ref: SharePartitionRef): FetchPartitionData & { topicId: string } => {
    let d = out.get(refKey(ref))
    if (d === undefined) {
      d = {
        topicId: ref.topicId, partitionIndex: ref.partition, errorCode: 0, errorMessage: null, acknowledgeErrorCode: 0,
        acknowledgeErrorMessage: null, currentLeader: leaderOf(share, ref, nodeId), records: EMPTY_RECORDS, acquiredRecords: []
      }
      out.set(refKey(ref), d)
    }
    return d
  }
  await Promise.all(req.topics.flatMap((t) => t.partitions.map(async (p) => {
    const ref = { topicId: t.topicId, partition: p.partitionIndex }
    const d = answer(ref)
    if (p.acknowledgementBatches.length === 0) return
    const outcome = await acknowledgePartition(share, groupId, memberId, ref, p.acknowledgementBatches, renewAllowed)
    d.acknowledgeErrorCode = outcome.code
    d.acknowledgeErrorMessage = outcome.message
  })))

  let lockMs = share.settings(groupId).recordLockDurationMs
  if (closing) {
    share.sessions.close(groupId, memberId)
    if (existing !== undefined) await share.partitions.releaseMember(groupId, memberId)
  } else if (session !== null && !req.isRenewAck) {
    lockMs = await acquireInto(share, session, req, answer, stopping)
  }
  const byTopic = new Map<string, FetchPartitionData[]>()
  for (const d of out.values()) {
    const { topicId, ...partition } = d
    let list = byTopic.get(topicId)
    if (list === undefined) byTopic.set(topicId, list = [])
    list.push(partition)
  }
  return {
    errorCode: 0,
    errorMessage: null,
    acquisitionLockTimeoutMs: lockMs,
    responses: [...byTopic].map(([topicId, partitions]) => ({ topicId, partitions })),
    nodeEndpoints: []
  }
}

/** Acquires from the session's partitions; waits for records up to MaxWaitMs. Returns the lock duration used. */
async function acquireInto (
  share: ShareService, session: ShareSession, req: ShareFetchRequest,
  answer: (ref: SharePartitionRef) => FetchPartitionData, stopping: () => boolean
): Promise<number> {
  const deadline = Date.now() + Math.max(0, req.maxWaitMs)
  const maxRecords = req.maxRecords !== undefined && req.maxRecords > 0 ? req.maxRecords : DEFAULT_MAX_RECORDS
  let lockMs = share.settings(session.groupId).recordLockDurationMs
  for (;;) {
    let records = 0
    let bytes = 0
    const keys: string[] = []
    for (const ref of [...session.partitions.values()]) {
      if (records >= maxRecords || bytes >= req.maxBytes) break
      try {
        const sp = await share.partitions.get(session.groupId, ref.topicId, ref.partition)
        keys.push(partitionKey(sp.topic, ref.partition))
        lockMs = sp.lockDurationMs
        const got = await sp.acquire(session.memberId, maxRecords - records, Math.max(1, req.maxBytes - bytes))
        if (got.count === 0) continue
        const d = answer(ref)
        d.records = got.records
        d.acquiredRecords = got.ranges.map((r) => ({ firstOffset: BigInt(r.firstOffset), lastOffset: BigInt(r.lastOffset), deliveryCount: r.deliveryCount }))
        records += got.count
        bytes += got.bytes
      } catch (err) {
        const mapped = mapError(err, share.logger, { groupId: session.groupId, topicId: ref.topicId, partition: ref.partition })
        const d = answer(ref)
        d.errorCode = mapped.code
        d.errorMessage = mapped.message
        // An unknown partition leaves the session: it would fail every fetch.
        if (mapped.code === ErrorCode.UNKNOWN_TOPIC_ID || mapped.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) session.forget(ref)
      }
    }
    const left = deadline - Date.now()
    if (records > 0 || left <= 0 || stopping() || keys.length === 0) return lockMs
    await share.purgatory.wait(keys, left)
  }
}

export async function shareAcknowledge (share: ShareService, req: ShareAcknowledgeRequest, nodeId: number): Promise<Omit<ShareAcknowledgeResponse, 'throttleTimeMs'>> {
  const groupId = req.groupId ?? ''
  const memberId = req.memberId ?? ''
  const lockMs = share.settings(groupId).recordLockDurationMs
  const empty = { errorMessage: null, acquisitionLockTimeoutMs: lockMs, responses: [], nodeEndpoints: [] }
  if (groupId === '' || memberId === '') return { ...empty, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'GroupId and MemberId are required.' }
  if (req.shareSessionEpoch === OPEN_EPOCH) {
    return { ...empty, errorCode: ErrorCode.INVALID_SHARE_SESSION_EPOCH, errorMessage: 'ShareAcknowledge cannot open a share session.' }
  }
  let session: ShareSession
  try {
    session = share.sessions.expect(groupId, memberId, req.shareSessionEpoch)
  } catch (err) {
    const mapped = mapError(err, share.logger)
    return { ...empty, errorCode: mapped.code, errorMessage: mapped.message }
  }
  const closing = req.shareSessionEpoch === CLOSE_EPOCH
  if (!closing) session.bump()
  const responses = await Promise.all(req.topics.map(async (t) => ({
    topicId: t.topicId,
    partitions: await Promise.all(t.partitions.map(async (p): Promise<AckPartitionData> => {
      const ref = { topicId: t.topicId, partition: p.partitionIndex }
      const outcome = await acknowledgePartition(share, groupId, memberId, ref, p.acknowledgementBatches, req.isRenewAck === true)
      return { partitionIndex: p.partitionIndex, errorCode: outcome.code, errorMessage: outcome.message, currentLeader: leaderOf(share, ref, nodeId) }
    }))
  })))
  if (closing) {
    share.sessions.close(groupId, memberId)
    await share.partitions.releaseMember(groupId, memberId)
  }
  return { ...empty, errorCode: 0, responses }
}

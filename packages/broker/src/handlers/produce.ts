// Produce (0): v3-13 served, v0-13 advertised.
// Behaviour: v0-2 are advertised but refused (the connection closes), as Kafka 4 does, because
// librdkafka turns compression off when Produce's minimum is 3. Each partition's
// records are validated (records/validate.ts: exactly one v2 batch, CRC, size against the
// topic's max.message.bytes -> CORRUPT_MESSAGE / MESSAGE_TOO_LARGE / INVALID_RECORD; CreateTime
// outside message.timestamp.before/after.max.ms -> INVALID_TIMESTAMP; a keyless record on a
// compacted topic -> INVALID_RECORD with record errors) and stored
// as produced, unless the topic's compression.type names a codec. acks=-1 resolves after fsync
// (durable append), acks=1 after the write, acks=0 sends no response. A missing topic is
// auto-created when auto.create.topics.enable. Idempotent and transactional batches are checked
// by the log's producer state (storage producer-state/). Topics with delivery.schedule.enable
// go through delivery/scheduled-produce.ts (records with a delivery time answer base offset -1).
// Every append is awaited, acks=0 included: once handle() settles, nothing refers to the request's
// bytes, so the connection recycles the buffer they were gathered into (releasesRequestBytes).
// Versions: v3 transactional id, v2 batches only; v5 log start offset; v7 zstd; v8 record
// errors + error message; v9 flexible; v10 leader hints (tagged, unused); v11 TRANSACTION_ABORTABLE;
// v12 transaction protocol v2 (KIP-890): a transactional batch adds its partition to the open
// transaction itself, without AddPartitionsToTxn; v13 topics named by id (UNKNOWN_TOPIC_ID for an
// id this broker does not have; no auto-creation, an id names an existing topic).
// Cluster mode: only the partition's leader appends (else NOT_LEADER_OR_FOLLOWER, with the
// current leader and its endpoint from v10, KIP-951); acks=-1 needs min.insync.replicas in the ISR
// before the append (NOT_ENOUGH_REPLICAS) and waits, up to the request's timeout
// (REQUEST_TIMED_OUT), until the high watermark passes the batch; an ISR that shrank below
// min.insync.replicas meanwhile answers NOT_ENOUGH_REPLICAS_AFTER_APPEND.
// Authorization: WRITE on the transactional id (else the whole request fails with
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and WRITE on each topic (else its partitions get
// TOPIC_AUTHORIZATION_FAILED); auto-creation, as in Metadata, CREATE on the cluster or the topic.
import {
  ErrorCode, produceApi, type ProduceRequest, type ProduceRequestPartitionProduceData, type ProduceRequestTopicProduceData,
  type ProduceResponse, type ProduceResponsePartitionProduceResponse, type RecordsSummary, validateRecords, ZERO_UUID,
  BATCH_HEADER_SIZE, readBatchHeader, TRANSACTIONAL_MASK
} from '@brook/protocol'
import { type TopicSettings, topicSettings } from '../config/topic-config.js'
import { INTERNAL_TOPICS } from '../cluster/topic-name.js'
import { KafkaError, mapError } from '../errors.js'
import { type RecordError, RecordValidationError, requireKeys } from '../partition/compacted-keys.js'
import { applyTopicCompression } from '../partition/recompress.js'
import { addToTransaction, produceAddError } from '../txn/implicit-add.js'
import { type TopicPartition, partitionKey } from '../txn/metadata.js'
import { leaderEndpoints, leaderHint } from '../cluster/leader-hints.js'
import type { TopicState } from '../partition/replica-manager.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'
import { CLUSTER_NAME } from '../security/authorizer/authorized-operations.js'
import { onTransactionalId, Op } from '../security/authorizer/requirements.js'
import { produceScheduled } from '../delivery/scheduled-produce.js'

function failed (index: number, errorCode: number, errorMessage: string | null = null,
  recordErrors: readonly RecordError[] = []): ProduceResponsePartitionProduceResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [...recordErrors], errorMessage }
}

async function autoCreate (ctx: RequestContext, name: string): Promise<TopicState> {
  if (!ctx.broker.config.bool('auto.create.topics.enable')) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  if (!allowed(ctx, ResourceType.CLUSTER, CLUSTER_NAME, AclOperation.CREATE) && !allowed(ctx, ResourceType.TOPIC, name, AclOperation.CREATE)) {
    throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
  }
  return await ctx.broker.replicas.ensureTopic(name)
}

/**
 * Kafka's message.timestamp.before/after.max.ms for CreateTime topics, checked on the batch's
 * first and largest timestamps (records are not unpacked).
 */
function checkTimestamps (batch: RecordsSummary, settings: TopicSettings): string | null {
  if (settings.messageTimestampType !== 'CreateTime') return null
  const now = Date.now()
  const first = Number(batch.firstTimestamp)
  const max = Number(batch.maxTimestamp)
  if (first >= 0 && first < now - settings.timestampBeforeMaxMs) {
    return `Timestamp ${first} of message is out of range. The timestamp should be within [${now - settings.timestampBeforeMaxMs}, ${now + settings.timestampAfterMaxMs}]`
  }
  if (max > now + settings.timestampAfterMaxMs) {
    return `Timestamp ${max} of message is out of range. The timestamp should be within [${now - settings.timestampBeforeMaxMs}, ${now + settings.timestampAfterMaxMs}]`
  }
  return null
}

// Everything up to partition.append() runs synchronously, so that produce requests read from one
// connection reach each partition in request order (partition.ts keeps call order).
async function producePartition (ctx: RequestContext, request: ProduceRequest, topic: TopicState,
  data: ProduceRequestPartitionProduceData, notAdded: NotAdded): Promise<ProduceResponsePartitionProduceResponse> {
  const partition = topic.partitions[data.index]
  if (partition === undefined || (partition.replicated && !partition.isLeader)) {
    const code = ctx.broker.replicas.partitionError(topic.info.name, data.index)
    return notLeader(ctx, topic.info.name, data.index, code === ErrorCode.NONE ? ErrorCode.NOT_LEADER_OR_FOLLOWER : code)
  }
  const settings = topicSettings(topic.info.configs, ctx.broker.config)
  const replication = partition.replication
  if (partition.replicated) {
    if (replication === null) return notLeader(ctx, topic.info.name, data.index, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    if (request.acks === -1) replication.checkMinIsr(settings.minInsyncReplicas)
  } else if (request.acks === -1 && settings.minInsyncReplicas > 1) {
    return failed(data.index, ErrorCode.NOT_ENOUGH_REPLICAS,
      `The size of the current ISR 1 is insufficient to satisfy the min.isr requirement of ${settings.minInsyncReplicas}`)
  }
  const records = data.records ?? Buffer.alloc(0)
  const check = validateRecords(records, { singleBatch: true, produceVersion: ctx.apiVersion, maxBatchBytes: settings.maxMessageBytes })
  if (!check.ok) return failed(data.index, check.errorCode, check.message)
  const timestampError = checkTimestamps(check, settings)
  if (timestampError !== null) return failed(data.index, ErrorCode.INVALID_TIMESTAMP, timestampError)
  if (check.isTransactional && notAdded.has(partitionKey({ topic: topic.info.name, partition: data.index }))) {
    return failed(data.index, notAdded.code)
  }
  // delivery.schedule.enable (Brook's): records may carry a delivery time (docs/delivery.md).
  const scheduler = ctx.broker.scheduler
  if (settings.scheduling && scheduler !== undefined) {
    const answer = await produceScheduled(scheduler, topic.info.name, partition, records, request.acks === -1)
    return { index: data.index, errorCode: ErrorCode.NONE, baseOffset: BigInt(answer.baseOffset), logAppendTimeMs: BigInt(answer.logAppendTime), logStartOffset: BigInt(answer.logStartOffset), recordErrors: [], errorMessage: null }
  }
  const checked = settings.compacted ? requireKeys(records, `${topic.info.name}-${data.index}`) : records
  const stored = settings.compressionType === 'producer' ? checked : applyTopicCompression(checked, settings.compressionType)
  const result = await partition.append(stored, request.acks === -1)
  ctx.broker.metrics?.produced(topic.info.name, check.sizeInBytes, check.recordCount)
  if (replication !== null && request.acks === -1) {
    const code = await replication.waitForCommit(result.lastOffset + 1, settings.minInsyncReplicas, request.timeoutMs)
    if (code === ErrorCode.NOT_LEADER_OR_FOLLOWER) return notLeader(ctx, topic.info.name, data.index, code)
    if (code !== ErrorCode.NONE) return failed(data.index, code)
  }
  return {
    index: data.index,
    errorCode: ErrorCode.NONE,
    baseOffset: BigInt(result.baseOffset),
    logAppendTimeMs: BigInt(result.logAppendTime),
    logStartOffset: BigInt(result.logStartOffset),
    recordErrors: [],
    errorMessage: null
  }
}

/** A partition this broker does not lead: v10+ carries the current leader (KIP-951). */
function notLeader (ctx: RequestContext, topic: string, index: number, code: number): ProduceResponsePartitionProduceResponse {
  const response = failed(index, code)
  const hint = code === ErrorCode.NOT_LEADER_OR_FOLLOWER && ctx.apiVersion >= 10 ? leaderHint(ctx, topic, index) : null
  return hint === null ? response : { ...response, currentLeader: hint }
}

/** v13+: the topic the id names, or undefined. Auto-creation needs a name, so it never applies. */
function topicOf (ctx: RequestContext, data: ProduceRequestTopicProduceData): TopicState | undefined {
  return ctx.apiVersion >= 13 ? ctx.broker.replicas.topicById(data.topicId ?? ZERO_UUID) : ctx.broker.replicas.topic(data.name ?? '')
}

async function produceTopic (ctx: RequestContext, request: ProduceRequest,
  data: ProduceRequestTopicProduceData, notAdded: NotAdded): Promise<ProduceResponsePartitionProduceResponse[]> {
  const partitions = data.partitionData
  let topic = topicOf(ctx, data)
  if (topic === undefined && ctx.apiVersion >= 13) return partitions.map((p) => failed(p.index, ErrorCode.UNKNOWN_TOPIC_ID))
  const name = topic?.info.name ?? data.name ?? ''
  if (!allowed(ctx, ResourceType.TOPIC, name, AclOperation.WRITE)) return partitions.map((p) => failed(p.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED))
  if (INTERNAL_TOPICS.has(name)) {
    return partitions.map((p) => failed(p.index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${name}`))
  }
  if (topic === undefined) {
    try {
      topic = await autoCreate(ctx, name)
    } catch (err) {
      const { code, message } = mapError(err, ctx.logger, { topic: name })
      return partitions.map((p) => failed(p.index, code, message))
    }
  }
  const state = topic
  return await Promise.all(partitions.map(async (data) => {
    try {
      return await producePartition(ctx, request, state, data, notAdded)
    } catch (err) {
      const { code, message } = mapError(err, ctx.logger, { topic: name, partition: data.index })
      return failed(data.index, code, message, err instanceof RecordValidationError ? err.recordErrors : [])
    }
  }))
}

/** The response names a topic the way the request did (name up to v12, id from v13). */
function topicKey (t: ProduceRequestTopicProduceData): { name: string, topicId: string } {
  return { name: t.name ?? '', topicId: t.topicId ?? ZERO_UUID }
}

/** Partitions whose transactional batch could not join the transaction, and the code they answer. */
interface NotAdded { has: (key: string) => boolean, code: number }
const NOTHING_REFUSED: NotAdded = { has: () => false, code: ErrorCode.NONE }

/**
 * v12+: the partitions of existing topics whose batch is transactional, with the producer that
 * wrote it (one producer per request). Batches that turn out invalid are refused later anyway.
 */
function transactionalTargets (ctx: RequestContext, request: ProduceRequest): { partitions: TopicPartition[], producerId: bigint, producerEpoch: number } {
  const partitions: TopicPartition[] = []
  let producerId = -1n
  let producerEpoch = -1
  for (const t of request.topicData) {
    const topic = topicOf(ctx, t)
    if (topic === undefined) continue
    for (const p of t.partitionData) {
      const records = p.records
      if (records === undefined || records === null || records.length < BATCH_HEADER_SIZE || topic.partitions[p.index] === undefined) continue
      const header = readBatchHeader(records)
      if ((header.attributes & TRANSACTIONAL_MASK) === 0) continue
      partitions.push({ topic: topic.info.name, partition: p.index })
      producerId = header.producerId
      producerEpoch = header.producerEpoch
    }
  }
  return { partitions, producerId, producerEpoch }
}

/**
 * Transaction protocol v2 (v12+): the transactional partitions join the producer's transaction
 * before anything is written. Requests that need no add stay synchronous up to the appends; those
 * that do go through the coordinator's queue for their transactional id, which answers in order,
 * so one producer's pipelined requests still reach each partition in request order.
 */
async function joinTransaction (ctx: RequestContext, request: ProduceRequest, transactionalId: string): Promise<NotAdded> {
  const { partitions, producerId, producerEpoch } = transactionalTargets(ctx, request)
  if (partitions.length === 0) return NOTHING_REFUSED
  const code = await addToTransaction(ctx, transactionalId, producerId, producerEpoch, partitions)
  if (code === ErrorCode.NONE) return NOTHING_REFUSED
  const keys = new Set(partitions.map(partitionKey))
  return { has: (key) => keys.has(key), code: produceAddError(code) }
}

async function handle (ctx: RequestContext, request: ProduceRequest): Promise<ProduceResponse | null> {
  const { acks } = request
  const transactionalId = request.transactionalId ?? null
  const notAdded = ctx.apiVersion >= 12 && transactionalId !== null ? await joinTransaction(ctx, request, transactionalId) : NOTHING_REFUSED
  const responses = await Promise.all(request.topicData.map(async (t) => ({
    ...topicKey(t),
    partitionResponses: acks === 0 || acks === 1 || acks === -1
      ? await produceTopic(ctx, request, t, notAdded)
      : t.partitionData.map((p) => failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS))
  })))
  ctx.broker.metrics?.produceAnswered(responses)
  if (acks === 0) return null
  const leaders = responses.flatMap((t) => t.partitionResponses.flatMap((p) => p.currentLeader === undefined || p.currentLeader.leaderId < 0 ? [] : [p.currentLeader.leaderId]))
  const nodeEndpoints = leaders.length === 0 ? [] : leaderEndpoints(ctx, leaders)
  return nodeEndpoints.length === 0 ? { responses } : { responses, nodeEndpoints }
}

export default defineHandler(produceApi, { min: 3, max: 13, advertisedMin: 0 }, handle, (request, code) => request.acks === 0
  ? null
  : {
      responses: request.topicData.map((t) => ({ ...topicKey(t), partitionResponses: t.partitionData.map((p) => failed(p.index, code)) })),
    }, {
  releasesRequestBytes: true,
  requires: (r) => r.transactionalId === null || r.transactionalId === undefined ? [] : [onTransactionalId(r.transactionalId, Op.WRITE)]
})

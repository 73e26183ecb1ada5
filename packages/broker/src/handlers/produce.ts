// Produce (0): v3-11 served, v0-11 advertised.
// Behaviour: v0-2 are advertised but refused (the connection closes), as Kafka 4 does, because
// librdkafka turns compression off when Produce's minimum is 3. Each partition's
// records are validated (records/validate.ts: exactly one v2 batch, CRC, size against the
// topic's max.message.bytes -> CORRUPT_MESSAGE / MESSAGE_TOO_LARGE / INVALID_RECORD; CreateTime
// outside message.timestamp.before/after.max.ms -> INVALID_TIMESTAMP) and stored
// as produced, unless the topic's compression.type names a codec. acks=-1 resolves after fsync
// (durable append), acks=1 after the write, acks=0 sends no response. A missing topic is
// auto-created when auto.create.topics.enable. Idempotent and transactional batches are checked
// by the log's producer state (storage producer-state/).
// Every append is awaited, acks=0 included: once handle() settles, nothing refers to the request's
// bytes, so the connection recycles the buffer they were gathered into (releasesRequestBytes).
// Versions: v3 transactional id, v2 batches only; v5 log start offset; v7 zstd; v8 record
// errors + error message; v9 flexible; v10 leader hints (tagged, unused); v11 TRANSACTION_ABORTABLE.
import {
  ErrorCode, produceApi, type ProduceRequest, type ProduceRequestPartitionProduceData, type ProduceResponse,
  type ProduceResponsePartitionProduceResponse, type RecordsSummary, validateRecords
} from '@brook/protocol'
import { type TopicSettings, topicSettings } from '../config/topic-config.js'
import { INTERNAL_TOPICS } from '../cluster/topic-name.js'
import { KafkaError, mapError } from '../errors.js'
import { applyTopicCompression } from '../partition/recompress.js'
import type { TopicState } from '../partition/replica-manager.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function failed (index: number, errorCode: number, errorMessage: string | null = null): ProduceResponsePartitionProduceResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage }
}

async function autoCreate (ctx: RequestContext, name: string): Promise<TopicState> {
  if (!ctx.broker.config.bool('auto.create.topics.enable')) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
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
  data: ProduceRequestPartitionProduceData): Promise<ProduceResponsePartitionProduceResponse> {
  const partition = topic.partitions[data.index]
  if (partition === undefined) return failed(data.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  const settings = topicSettings(topic.info.configs, ctx.broker.config)
  if (request.acks === -1 && settings.minInsyncReplicas > 1) {
    return failed(data.index, ErrorCode.NOT_ENOUGH_REPLICAS,
      `The size of the current ISR 1 is insufficient to satisfy the min.isr requirement of ${settings.minInsyncReplicas}`)
  }
  const records = data.records ?? Buffer.alloc(0)
  const check = validateRecords(records, { singleBatch: true, produceVersion: ctx.apiVersion, maxBatchBytes: settings.maxMessageBytes })
  if (!check.ok) return failed(data.index, check.errorCode, check.message)
  const timestampError = checkTimestamps(check, settings)
  if (timestampError !== null) return failed(data.index, ErrorCode.INVALID_TIMESTAMP, timestampError)
  const stored = settings.compressionType === 'producer' ? records : applyTopicCompression(records, settings.compressionType)
  const result = await partition.append(stored, request.acks === -1)
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

async function produceTopic (ctx: RequestContext, request: ProduceRequest, name: string,
  partitions: ProduceRequestPartitionProduceData[]): Promise<ProduceResponsePartitionProduceResponse[]> {
  if (INTERNAL_TOPICS.has(name)) {
    return partitions.map((p) => failed(p.index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${name}`))
  }
  let topic = ctx.broker.replicas.topic(name)
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
      return await producePartition(ctx, request, state, data)
    } catch (err) {
      const { code, message } = mapError(err, ctx.logger, { topic: name, partition: data.index })
      return failed(data.index, code, message)
    }
  }))
}

async function handle (ctx: RequestContext, request: ProduceRequest): Promise<ProduceResponse | null> {
  const { acks } = request
  const responses = await Promise.all(request.topicData.map(async (t) => ({
    name: t.name,
    partitionResponses: acks === 0 || acks === 1 || acks === -1
      ? await produceTopic(ctx, request, t.name, t.partitionData)
      : t.partitionData.map((p) => failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS))
  })))
  return acks === 0 ? null : { responses, throttleTimeMs: 0 }
}

export default defineHandler(produceApi, { min: 3, max: 11, advertisedMin: 0 }, handle, (request, code) => request.acks === 0
  ? null
  : {
      responses: request.topicData.map((t) => ({ name: t.name, partitionResponses: t.partitionData.map((p) => failed(p.index, code)) })),
      throttleTimeMs: 0
    }, { releasesRequestBytes: true })

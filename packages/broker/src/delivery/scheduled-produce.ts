// Produce into a topic with delivery.schedule.enable (the produce handler's only branch for it):
// the batch is decoded (decompressed: on scheduling topics only), each record's delivery time
// read from its headers (schedule-headers.ts). Records due now are appended at once, as one batch
// with the producer's id, epoch, sequence and codec; scheduled ones go to the scheduler (held
// until commit for a transactional batch). A batch with any scheduled record answers base offset
// -1: offsets are assigned at delivery. Idempotent retries are recognised by scheduled-retries.ts.
import { buildBatchSync, decodeBatchSync, ErrorCode, type KafkaRecord, TimestampType } from '@brook/protocol'
import { randomBytes } from 'node:crypto'
import type { Partition } from '../partition/partition.js'
import { RecordValidationError } from '../partition/compacted-keys.js'
import { deliveryTime } from './schedule-headers.js'
import type { ScheduledRecord } from './scheduled-record.js'
import type { ProduceAnswer } from './scheduled-retries.js'
import type { DeliveryScheduler } from './scheduler.js'

export async function produceScheduled (scheduler: DeliveryScheduler, topic: string, partition: Partition,
  records: Buffer, durable: boolean): Promise<ProduceAnswer> {
  const batch = decodeBatchSync(records)
  const { header } = batch
  const tp = `${topic}\u0000${partition.index}`
  const idempotent = header.producerId >= 0n
  const lastSeq = header.baseSequence + header.recordCount - 1
  if (idempotent) {
    const earlier = scheduler.retries.find(tp, header.producerId, header.producerEpoch, header.baseSequence, lastSeq)
    if (earlier !== null) return earlier
  }
  const now = Date.now()
  const immediate: KafkaRecord[] = []
  const scheduled: ScheduledRecord[] = []
  const errors: Array<{ batchIndex: number, batchIndexErrorMessage: string }> = []
  // Sequences are per partition: ids name the partition too (they are unique across the log).
  const idBase = `${topic}/${partition.index}/` + (idempotent ? `${header.producerId}.${header.producerEpoch}.` : `${randomBytes(8).toString('hex')}.`)
  batch.records.forEach((record, i) => {
    const when = deliveryTime(record.headers, now)
    if (when.kind === 'malformed') errors.push({ batchIndex: i, batchIndexErrorMessage: when.message })
    else if (when.kind === 'now') immediate.push(record)
    else {
      const seq = idempotent ? header.baseSequence + Number(record.offset - header.baseOffset) : i
      scheduled.push({ id: idBase + String(seq), deliverAt: when.at, topic, partition: partition.index, key: record.key, value: record.value, headers: record.headers })
    }
  })
  if (errors.length > 0) throw new RecordValidationError(ErrorCode.INVALID_RECORD, 'malformed delivery time header', errors)
  // Everything due now: the batch as produced (its bytes, its CRC).
  const stored = scheduled.length === 0
    ? records
    : immediate.length === 0
      ? null
      : buildBatchSync({
        records: immediate.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
        compression: batch.compression,
        timestampType: batch.timestampType,
        transactional: batch.isTransactional,
        producerId: header.producerId,
        producerEpoch: header.producerEpoch,
        baseSequence: header.baseSequence,
        ...(batch.timestampType === TimestampType.LogAppendTime ? { maxTimestamp: header.maxTimestamp } : {})
      })
  // Called before any await, so that one connection's requests keep their order on the partition.
  const appended = stored === null ? null : partition.append(stored, durable, idempotent ? 'coordinator' : 'client')
  const held = batch.isTransactional
    ? scheduler.hold(header.producerId, scheduled, durable)
    : scheduler.schedule(scheduled, durable)
  const [result] = await Promise.all([appended, held])
  const answer: ProduceAnswer = {
    baseOffset: scheduled.length > 0 || result === null ? -1 : result.baseOffset,
    logAppendTime: result?.logAppendTime ?? -1,
    logStartOffset: result?.logStartOffset ?? partition.log.logStartOffset
  }
  if (idempotent) scheduler.retries.remember(tp, header.producerId, header.producerEpoch, header.baseSequence, lastSeq, answer)
  return answer
}


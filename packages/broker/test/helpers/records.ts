// Produce/Fetch helpers for tests: batches from the records builder, requests for one partition.
import { buildBatch, type Compression, decodeBatches, type FetchResponse, type RecordInput } from '@brook/protocol'

export async function batchOf (values: string[], options: { compression?: Compression, timestamp?: bigint } = {}): Promise<Buffer> {
  const records: RecordInput[] = values.map((value, i) => ({
    key: `k${i}`,
    value,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp })
  }))
  return await buildBatch({ records, ...(options.compression === undefined ? {} : { compression: options.compression }) })
}

export function produceBody (topic: string, records: Buffer, acks = 1, partition = 0) {
  return { transactionalId: null, acks, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] }
}

export function fetchBody (topic: string, offset: bigint, options: { maxWaitMs?: number, minBytes?: number, partitionMaxBytes?: number, topicId?: string, partition?: number } = {}) {
  return {
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes: 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{
      topic,
      ...(options.topicId === undefined ? {} : { topicId: options.topicId }),
      partitions: [{ partition: options.partition ?? 0, fetchOffset: offset, partitionMaxBytes: options.partitionMaxBytes ?? 1024 * 1024, currentLeaderEpoch: -1 }]
    }],
    forgottenTopicsData: [],
    rackId: ''
  }
}

/** The record values of the first partition of a fetch response, with their offsets. */
export async function fetchedValues (response: FetchResponse): Promise<Array<[number, string]>> {
  const records = response.responses[0]?.partitions[0]?.records
  const blob = records === null || records === undefined ? Buffer.alloc(0) : Buffer.isBuffer(records) ? records : Buffer.concat(records)
  const batches = await decodeBatches(blob)
  return batches.flatMap((b) => b.records.map((r): [number, string] => [Number(r.offset), r.value?.toString() ?? '']))
}

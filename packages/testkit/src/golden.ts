// Golden-byte checks: a captured request frame (size prefix included) is decoded with
// @brook/protocol's header and generic codec, then encoded again; equal bytes mean the schema
// data describes exactly what the client sent.
import { crc32 } from 'node:zlib'
import {
  ApiKey, BASE_TIMESTAMP, BATCH_HEADER_SIZE, CRC, LOG_OVERHEAD, MAX_TIMESTAMP, PRODUCER_ID, Reader, apiByKey, computeBatchCrc, decodeRequest, decodeRequestHeader, encodeRequestFrame, readBatchHeader, ZERO_UUID
} from '@brook/protocol'

export function roundTripRequestFrame (frame: Buffer): Buffer {
  const size = frame.readInt32BE(0)
  if (size !== frame.length - 4) throw new Error(`size prefix ${size} but ${frame.length - 4} bytes follow`)
  const reader = new Reader(frame, 4)
  const header = decodeRequestHeader(reader)
  const api = apiByKey(header.apiKey)
  if (api === undefined) throw new Error(`no schema for api key ${header.apiKey}`)
  const body = decodeRequest(api, header.apiVersion, reader)
  if (reader.remaining !== 0) throw new Error(`${reader.remaining} bytes left after the ${api.name} v${header.apiVersion} body`)
  return Buffer.concat(encodeRequestFrame(header.correlationId, header.clientId, api, header.apiVersion, body))
}

/** Values that differ from run to run, replaced when a captured frame is stored as a fixture. */
export const GOLDEN_NORMAL = {
  correlationId: 1, clientId: 'golden', timestamp: 1_700_000_000_000n, producerId: 1000n, memberId: 'golden-member',
  topicId: '00000000-0000-0000-0000-00000000abcd'
} as const

/**
 * A captured request frame with what changes between runs made fixed: header correlation id and
 * client id, record batch timestamps and producer ids (CRC recomputed), and wherever the body
 * has them, producer ids, member ids, topic ids, client instance ids and SCRAM salts (found by field name at
 * any depth, so every API is covered). Everything else is re-encoded from the decoded body unchanged.
 */
export function normaliseRequestFrame (frame: Buffer): Buffer {
  const reader = new Reader(frame, 4)
  const header = decodeRequestHeader(reader)
  const api = apiByKey(header.apiKey)
  if (api === undefined) throw new Error(`no schema for api key ${header.apiKey}`)
  const body = decodeRequest(api, header.apiVersion, reader)
  normaliseFields(body, header.apiKey === ApiKey.Produce)
  return Buffer.concat(encodeRequestFrame(GOLDEN_NORMAL.correlationId, GOLDEN_NORMAL.clientId, api, header.apiVersion, body))
}

function normaliseFields (value: unknown, hasRecords: boolean): void {
  if (Array.isArray(value)) {
    for (const item of value) normaliseFields(item, hasRecords)
    return
  }
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return
  const fields = value as Record<string, unknown>
  for (const [name, field] of Object.entries(fields)) {
    if (name === 'producerId' && typeof field === 'bigint' && field >= 0n) fields[name] = GOLDEN_NORMAL.producerId
    else if (name === 'memberId' && typeof field === 'string' && field !== '') fields[name] = GOLDEN_NORMAL.memberId
    else if ((name === 'topicId' || name === 'clientInstanceId') && typeof field === 'string' && field !== ZERO_UUID) fields[name] = GOLDEN_NORMAL.topicId
    else if (name === 'records' && hasRecords && Buffer.isBuffer(field)) fields[name] = normaliseBatches(field)
    // SCRAM credentials carry a random salt (and so a different salted password) each run.
    else if ((name === 'salt' || name === 'saltedPassword') && Buffer.isBuffer(field)) fields[name] = Buffer.alloc(field.length, 0x5a)
    else normaliseFields(field, hasRecords)
  }
}

/** Where a record batch (or a legacy message) keeps its magic byte: after offset, size and CRC. */
const MAGIC = 16
/** A legacy message's CRC (after offset and size) and a v1 message's timestamp (after magic and attributes). */
const LEGACY_CRC = 12
const LEGACY_TIMESTAMP = 18

function normaliseBatches (records: Buffer): Buffer {
  const out = Buffer.from(records)
  for (let pos = 0; pos + MAGIC + 1 <= out.length;) {
    const end = pos + LOG_OVERHEAD + out.readInt32BE(pos + LOG_OVERHEAD - 4)
    if (end > out.length) break
    const magic = out.readInt8(pos + MAGIC)
    if (magic === 2 && pos + BATCH_HEADER_SIZE <= out.length) {
      const header = readBatchHeader(out, pos)
      // Record timestamps are deltas from the base: moving the base keeps the batch consistent.
      out.writeBigInt64BE(GOLDEN_NORMAL.timestamp, pos + BASE_TIMESTAMP)
      out.writeBigInt64BE(GOLDEN_NORMAL.timestamp + (header.maxTimestamp - header.baseTimestamp), pos + MAX_TIMESTAMP)
      if (header.producerId >= 0n) out.writeBigInt64BE(GOLDEN_NORMAL.producerId, pos + PRODUCER_ID)
      out.writeUInt32BE(computeBatchCrc(out, pos), pos + CRC)
    } else if (magic === 1) {
      // A legacy v1 message (Produce v0-2): its CRC-32 (not CRC-32C) covers magic to the end.
      out.writeBigInt64BE(GOLDEN_NORMAL.timestamp, pos + LEGACY_TIMESTAMP)
      out.writeUInt32BE(crc32(out.subarray(pos + MAGIC, end)), pos + LEGACY_CRC)
    }
    pos = end
  }
  return out
}

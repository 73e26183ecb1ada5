// The JSON values stored under each key, and their checked decoding. A value that does not decode
// (written by a newer or broken writer) is reported and skipped by the reader, never trusted.
import type { BrokerEndpoint } from '../snapshot.js'

export interface BrokerRecord {
  brokerId: number
  incarnationId: string
  endpoints: BrokerEndpoint[]
  rack: string | null
}

export interface ControllerRecord {
  brokerId: number
  epoch: number
  brokerEpoch: number
}

export interface ControllerEpochRecord {
  epoch: number
}

/** 'creating' until every partition state is written: invisible in snapshots, name reserved. */
export type TopicState = 'creating' | 'ready'

export interface TopicRecord {
  id: string
  name: string
  configs: Record<string, string>
  replicas: number[][]
  state: TopicState
}

export interface PartitionStateRecord {
  leader: number
  leaderEpoch: number
  partitionEpoch: number
  isr: number[]
  offlineReplicas: number[]
  /** The replica set once a reassignment changed it; the topic record's assignment until then. */
  replicas?: number[]
  /** A reassignment in progress: replicas joining and leaving (both absent when none is). */
  addingReplicas?: number[]
  removingReplicas?: number[]
}

export interface ProducerIdsRecord {
  /** Decimal text: producer ids are int64. */
  nextProducerId: string
}

type Obj = Record<string, unknown>

function object (v: unknown): Obj | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Obj : null
}
const isInt = (v: unknown): v is number => Number.isSafeInteger(v)
const isIntArray = (v: unknown): v is number[] => Array.isArray(v) && v.every(isInt)

function parse (text: string): Obj | null {
  try {
    return object(JSON.parse(text))
  } catch {
    // Not JSON: the caller reports the key as undecodable.
    return null
  }
}

export function decodeBroker (text: string): BrokerRecord | null {
  const o = parse(text)
  if (o === null || !isInt(o.brokerId) || typeof o.incarnationId !== 'string' || !Array.isArray(o.endpoints)) return null
  if (o.rack !== null && typeof o.rack !== 'string') return null
  const endpoints: BrokerEndpoint[] = []
  for (const e of o.endpoints) {
    const ep = object(e)
    if (ep === null || typeof ep.name !== 'string' || typeof ep.host !== 'string' || !isInt(ep.port) ||
        typeof ep.securityProtocol !== 'string') return null
    endpoints.push({ name: ep.name, host: ep.host, port: ep.port, securityProtocol: ep.securityProtocol })
  }
  return { brokerId: o.brokerId, incarnationId: o.incarnationId, endpoints, rack: o.rack }
}

export function decodeController (text: string): ControllerRecord | null {
  const o = parse(text)
  if (o === null || !isInt(o.brokerId) || !isInt(o.epoch) || !isInt(o.brokerEpoch)) return null
  return { brokerId: o.brokerId, epoch: o.epoch, brokerEpoch: o.brokerEpoch }
}

export function decodeControllerEpoch (text: string): ControllerEpochRecord | null {
  const o = parse(text)
  return o === null || !isInt(o.epoch) ? null : { epoch: o.epoch }
}

export function decodeTopic (text: string): TopicRecord | null {
  const o = parse(text)
  if (o === null || typeof o.id !== 'string' || typeof o.name !== 'string') return null
  if (o.state !== 'creating' && o.state !== 'ready') return null
  const configs = object(o.configs)
  if (configs === null || !Object.values(configs).every((v) => typeof v === 'string')) return null
  if (!Array.isArray(o.replicas) || !o.replicas.every(isIntArray)) return null
  return { id: o.id, name: o.name, configs: configs as Record<string, string>, replicas: o.replicas, state: o.state }
}

export function decodePartitionState (text: string): PartitionStateRecord | null {
  const o = parse(text)
  if (o === null || !isInt(o.leader) || !isInt(o.leaderEpoch) || !isInt(o.partitionEpoch) ||
      !isIntArray(o.isr) || !isIntArray(o.offlineReplicas)) return null
  const optional = [o.replicas, o.addingReplicas, o.removingReplicas]
  if (!optional.every((v) => v === undefined || isIntArray(v))) return null
  const record: PartitionStateRecord = { leader: o.leader, leaderEpoch: o.leaderEpoch, partitionEpoch: o.partitionEpoch, isr: o.isr, offlineReplicas: o.offlineReplicas }
  if (isIntArray(o.replicas)) record.replicas = o.replicas
  if (isIntArray(o.addingReplicas)) record.addingReplicas = o.addingReplicas
  if (isIntArray(o.removingReplicas)) record.removingReplicas = o.removingReplicas
  return record
}

export function decodeProducerIds (text: string): ProducerIdsRecord | null {
  const o = parse(text)
  return o === null || typeof o.nextProducerId !== 'string' || !/^\d+$/.test(o.nextProducerId)
    ? null
    : { nextProducerId: o.nextProducerId }
}

export const encode = (record: BrokerRecord | ControllerRecord | ControllerEpochRecord | TopicRecord |
PartitionStateRecord | ProducerIdsRecord): string => JSON.stringify(record)

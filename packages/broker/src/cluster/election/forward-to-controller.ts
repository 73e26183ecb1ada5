// A controller request (ElectLeaders, AlterPartitionReassignments) that reached a broker other
// than the controller is forwarded to the controller (Kafka's brokers forward controller requests
// the same way): one connection to the controller's inter-broker endpoint, the same request, its
// answer returned as is.
import { type ApiSchema, electLeadersApi, type ElectLeadersResponse, ErrorCode } from '@brook/protocol'
import type { MetadataSnapshot } from '@brook/metadata'
import type { BrokerConfig } from '../../config/broker-config.js'
import { KafkaError } from '../../errors.js'
import { PeerClient } from '../../replication/peer-client.js'
import { brokerAddress } from '../endpoints.js'
import type { ElectionKind } from './election-decision.js'
import type { ElectionTarget } from './controller-elections.js'

const ELECT_LEADERS_VERSION = 2

/** The client id of forwarded requests: a controller never forwards them again. */
export const FORWARDED_PREFIX = 'brook-forward-'

export async function forwardElection (snapshot: MetadataSnapshot, config: BrokerConfig, nodeId: number,
  type: ElectionKind, targets: readonly ElectionTarget[] | null, timeoutMs: number): Promise<ElectLeadersResponse> {
  const byTopic = new Map<string, number[]>()
  for (const t of targets ?? []) byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), t.partition])
  return await forwardToController(snapshot, config, nodeId, electLeadersApi, ELECT_LEADERS_VERSION, {
    electionType: type,
    topicPartitions: targets === null ? null : [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    timeoutMs
  }, timeoutMs)
}

export async function forwardToController<Req, Res> (snapshot: MetadataSnapshot, config: BrokerConfig, nodeId: number,
  api: ApiSchema<Req, Res>, version: number, request: Req, timeoutMs: number): Promise<Res> {
  const controllerId = snapshot.controller?.brokerId
  const reg = controllerId === undefined ? undefined : snapshot.brokers.get(controllerId)
  const address = reg === undefined ? null : brokerAddress(reg, config)
  if (address === null) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'No controller is elected right now.')
  let peer: PeerClient
  try {
    peer = await PeerClient.connect(address.host, address.port, `${FORWARDED_PREFIX}${nodeId}`, timeoutMs)
  } catch (err) {
    throw new KafkaError(ErrorCode.NOT_CONTROLLER, `The controller could not be reached: ${(err as Error).message}`)
  }
  try {
    return await peer.send(api, version, request, timeoutMs + 1000)
  } finally {
    peer.close()
  }
}

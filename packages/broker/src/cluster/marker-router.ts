// Cluster mode: a transaction coordinator's markers go to each partition's leader (Kafka's
// TransactionMarkerChannelManager). A partition this broker leads, or a topic the cluster does not
// know, is written here through the local writer; any other goes to its leader as WriteTxnMarkers,
// one connection per broker, kept open. No leader, or a leader that cannot be reached, answers a
// retriable code: the coordinator retries the marker until it lands.
import { ErrorCode, writeTxnMarkersApi } from '@brook/protocol'
import type { Logger } from '@brook/common'
import { type MetadataSnapshot, NO_LEADER } from '@brook/metadata'
import type { BrokerConfig } from '../config/broker-config.js'
import type { MarkerWriter, TxnMarker } from '../txn/markers.js'
import type { TopicPartition } from '../txn/metadata.js'
import { PeerClient } from '../replication/peer-client.js'
import { brokerAddress } from './endpoints.js'

/** WriteTxnMarkers v1 (flexible): what every Brook broker serves. */
const MARKERS_VERSION = 1

export interface MarkerRouterDeps {
  nodeId: number
  snapshot: () => MetadataSnapshot
  config: BrokerConfig
  /** Writes markers to partitions this broker leads. */
  local: MarkerWriter
  logger: Logger
}

export class MarkerRouter implements MarkerWriter {
  readonly #deps: MarkerRouterDeps
  readonly #peers = new Map<number, Promise<PeerClient>>()

  constructor (deps: MarkerRouterDeps) {
    this.#deps = deps
  }

  async write (tp: TopicPartition, marker: TxnMarker): Promise<number> {
    const { snapshot, nodeId, local } = this.#deps
    const state = snapshot().topics.get(tp.topic)?.partitions[tp.partition]
    if (state === undefined || state.leader === nodeId) return await local.write(tp, marker)
    if (state.leader === NO_LEADER) return ErrorCode.NOT_LEADER_OR_FOLLOWER
    return await this.#remote(state.leader, tp, marker)
  }

  close (): void {
    for (const peer of this.#peers.values()) {
      peer.then((p) => { p.close() }, () => {
        // A connection that never opened has nothing to close.
      })
    }
    this.#peers.clear()
  }

  async #remote (leader: number, tp: TopicPartition, marker: TxnMarker): Promise<number> {
    const timeoutMs = this.#deps.config.int('replica.socket.timeout.ms')
    try {
      const peer = await this.#peer(leader, timeoutMs)
      const response = await peer.send(writeTxnMarkersApi, MARKERS_VERSION, {
        markers: [{
          producerId: marker.producerId,
          producerEpoch: marker.producerEpoch,
          transactionResult: marker.commit,
          coordinatorEpoch: marker.coordinatorEpoch,
          topics: [{ name: tp.topic, partitionIndexes: [tp.partition] }]
        }]
      }, timeoutMs)
      return response.markers[0]?.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
    } catch (err) {
      this.#peers.delete(leader)
      this.#deps.logger.info({ err, leader, topic: tp.topic, partition: tp.partition }, 'sending a transaction marker to its leader failed (retried)')
      return ErrorCode.NETWORK_EXCEPTION
    }
  }

  async #peer (brokerId: number, timeoutMs: number): Promise<PeerClient> {
    const open = this.#peers.get(brokerId)
    if (open !== undefined) {
      const peer = await open
      if (!peer.closed) return peer
      this.#peers.delete(brokerId)
    }
    const reg = this.#deps.snapshot().brokers.get(brokerId)
    const address = reg === undefined ? null : brokerAddress(reg, this.#deps.config)
    if (address === null) throw new Error(`broker ${brokerId} is not registered`)
    const connecting = PeerClient.connect(address.host, address.port, `brook-txn-markers-${this.#deps.nodeId}`, timeoutMs, address.security)
    this.#peers.set(brokerId, connecting)
    return await connecting
  }
}

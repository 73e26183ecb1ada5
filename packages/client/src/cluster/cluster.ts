// Connections and cluster metadata for one producer, consumer or admin: bootstrap from any listed
// broker, one pipelined connection per broker node (opened on first use, reopened after a failure),
// metadata refreshes (on demand and after metadata.max.age.ms), and coordinator lookups.
import type { Logger } from '@brook/common'
import { silentLogger } from '@brook/common'
import { type ApiSchema, ErrorCode, findCoordinatorApi, metadataApi, type MetadataRequest } from '@brook/protocol'
import { Connection, type ConnectionOptions, type RequestOptions } from '../connection/connection.js'
import { ConnectionError, IllegalStateError } from '../errors/client-errors.js'
import { kafkaError } from '../errors/kafka-errors.js'
import { type RetryOptions, withRetry } from '../errors/retry.js'
import { ClusterMetadata } from './metadata.js'

export interface ClientOptions extends ConnectionOptions {
  /** bootstrap.servers: "host:port" strings. */
  brokers: string[]
  retry?: RetryOptions
  /** metadata.max.age.ms. Default 300000. */
  metadataMaxAgeMs?: number
}

export const enum CoordinatorType { Group = 0, Transaction = 1 }

function parseAddress (address: string): { host: string, port: number } {
  const i = address.lastIndexOf(':')
  if (i <= 0) throw new IllegalStateError(`broker address ${JSON.stringify(address)} is not host:port`)
  const host = address.slice(0, i).replace(/^\[|\]$/g, '')
  const port = Number(address.slice(i + 1))
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new IllegalStateError(`broker address ${JSON.stringify(address)} has no valid port`)
  return { host, port }
}

export class Cluster {
  readonly options: ClientOptions
  readonly logger: Logger
  private readonly bootstrap: Array<{ host: string, port: number }>
  private bootstrapIndex = 0
  private readonly byAddress = new Map<string, Promise<Connection>>()
  private snapshot: ClusterMetadata | null = null
  private snapshotAt = 0
  private refreshing: Promise<ClusterMetadata> | null = null
  /** The topics the refresh under way asked for; null until its request is built (it will read the interest then). */
  private refreshingTopics: Set<string> | null = null
  /** Topics this client uses: every refresh asks for them. */
  private readonly interest = new Set<string>()
  private readonly coordinators = new Map<string, number>()
  private closed = false

  constructor (options: ClientOptions) {
    if (options.brokers.length === 0) throw new IllegalStateError('brokers must list at least one host:port')
    this.options = options
    this.logger = options.logger ?? silentLogger
    this.bootstrap = options.brokers.map(parseAddress)
  }

  get retry (): RetryOptions { return this.options.retry ?? {} }

  private connectionAt (host: string, port: number, signal?: AbortSignal): Promise<Connection> {
    if (this.closed) return Promise.reject(new IllegalStateError('the client is closed'))
    const key = `${host}:${port}`
    let promise = this.byAddress.get(key)
    if (promise === undefined) {
      const connection = new Connection(host, port, this.options)
      promise = connection.connect(signal).then(() => connection)
      this.byAddress.set(key, promise)
      connection.onClose(() => { if (this.byAddress.get(key) === promise) this.byAddress.delete(key) })
      promise.catch(() => { if (this.byAddress.get(key) === promise) this.byAddress.delete(key) })
    }
    return promise
  }

  /** A connection to some broker: a known node if metadata is loaded, else the bootstrap list in turn. */
  async any (signal?: AbortSignal): Promise<Connection> {
    const candidates: Array<{ host: string, port: number }> = []
    if (this.snapshot !== null) for (const b of this.snapshot.brokers.values()) candidates.push(b)
    for (let i = 0; i < this.bootstrap.length; i++) candidates.push(this.bootstrap[(this.bootstrapIndex + i) % this.bootstrap.length]!)
    let last: unknown = null
    for (const c of candidates) {
      try {
        return await this.connectionAt(c.host, c.port, signal)
      } catch (err) {
        last = err
        this.logger.debug({ broker: `${c.host}:${c.port}`, err: (err as Error).message }, 'broker unreachable')
      }
    }
    this.bootstrapIndex++
    throw last instanceof Error ? last : new ConnectionError(this.options.brokers.join(','), 'no broker reachable')
  }

  async broker (nodeId: number, signal?: AbortSignal): Promise<Connection> {
    let address = this.snapshot?.brokers.get(nodeId)
    if (address === undefined) address = (await this.refreshMetadata()).brokers.get(nodeId)
    if (address === undefined) throw new ConnectionError(`node ${nodeId}`, 'not in the cluster metadata')
    return await this.connectionAt(address.host, address.port, signal)
  }

  get metadata (): ClusterMetadata | null { return this.snapshot }

  addInterest (topics: Iterable<string>): void { for (const t of topics) this.interest.add(t) }

  /** Fetches metadata for the topics of interest (all topics with `all`); concurrent callers share one request. */
  refreshMetadata (options: { all?: boolean, allowAutoTopicCreation?: boolean } = {}): Promise<ClusterMetadata> {
    if (this.refreshing !== null && options.all !== true) {
      // Share the refresh under way only if it asks for every topic of interest; a topic added
      // since then gets a refresh of its own once that one is done.
      const asked = this.refreshingTopics
      if (asked === null || [...this.interest].every((t) => asked.has(t))) return this.refreshing
      return this.refreshing.catch(() => null).then(async () => await this.refreshMetadata(options))
    }
    const run = withRetry(async () => {
      const connection = await this.any()
      // The topic list is taken now, after connecting: interest added meanwhile is included.
      const topics = [...this.interest]
      if (options.all !== true && this.refreshing === run) this.refreshingTopics = new Set(topics)
      const request: MetadataRequest = {
        topics: options.all === true ? null : topics.map((name) => ({ name })),
        allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false
      }
      const response = await connection.request(metadataApi, request)
      const snapshot = new ClusterMetadata(response, options.all === true ? undefined : this.snapshot ?? undefined)
      this.snapshot = snapshot
      this.snapshotAt = Date.now()
      return snapshot
    }, this.retry).finally(() => { if (this.refreshing === run) this.refreshing = null })
    if (options.all !== true) {
      this.refreshing = run
      this.refreshingTopics = null
    }
    return run
  }

  /**
   * One Metadata request for exactly `topics` (the interest is neither read nor extended), merged
   * into the snapshot: an admin describing one topic pays for that topic, not for every topic it
   * created or described before. The snapshot's age is left alone, as the other topics were not
   * refreshed.
   */
  async describe (topics: readonly string[]): Promise<ClusterMetadata> {
    return await withRetry(async () => {
      const connection = await this.any()
      const response = await connection.request(metadataApi, {
        topics: topics.map((name) => ({ name })),
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false
      })
      // Merged into the snapshot current when the answer came, so a concurrent refresh is kept.
      const snapshot = new ClusterMetadata(response, this.snapshot ?? undefined)
      this.snapshot = snapshot
      return snapshot
    }, this.retry)
  }

  /** Metadata that knows every topic given (refreshing when one is missing or the snapshot is old). */
  async metadataFor (topics: Iterable<string>, options: { allowAutoTopicCreation?: boolean } = {}): Promise<ClusterMetadata> {
    const wanted = [...topics]
    this.addInterest(wanted)
    const maxAge = this.options.metadataMaxAgeMs ?? 300_000
    let snapshot = this.snapshot
    if (snapshot === null || Date.now() - this.snapshotAt > maxAge || wanted.some((t) => !snapshot!.topics.has(t))) {
      snapshot = await this.refreshMetadata(options)
    }
    return snapshot
  }

  /** The coordinator's connection for a group (or transactional id), looked up once and cached. */
  async coordinator (key: string, type: CoordinatorType, signal?: AbortSignal): Promise<Connection> {
    const cacheKey = `${type}:${key}`
    const known = this.coordinators.get(cacheKey)
    if (known !== undefined) return await this.broker(known, signal)
    return await withRetry(async () => {
      const connection = await this.any(signal)
      const version = connection.versionFor(findCoordinatorApi)
      const response = await connection.request(findCoordinatorApi, version >= 4
        ? { keyType: type, coordinatorKeys: [key] }
        : { key, keyType: type }, { signal, version })
      const entry = version >= 4 ? response.coordinators?.[0] : undefined
      const errorCode = entry?.errorCode ?? response.errorCode ?? 0
      if (errorCode !== ErrorCode.NONE) throw kafkaError(errorCode, entry?.errorMessage ?? response.errorMessage)
      const nodeId = entry?.nodeId ?? response.nodeId ?? -1
      const host = entry?.host ?? response.host ?? ''
      const port = entry?.port ?? response.port ?? 0
      this.coordinators.set(cacheKey, nodeId)
      return await this.connectionAt(host, port, signal)
    }, { ...this.retry, signal })
  }

  forgetCoordinator (key: string, type: CoordinatorType): void {
    this.coordinators.delete(`${type}:${key}`)
  }

  /** Sends to a coordinator, looking it up again and retrying on NOT_COORDINATOR and friends. */
  async toCoordinator<Req, Res> (
    key: string, type: CoordinatorType, api: ApiSchema<Req, Res>,
    build: (version: number) => Req, check: (response: Res) => void, options: RequestOptions = {}
  ): Promise<Res> {
    return await withRetry(async () => {
      const connection = await this.coordinator(key, type, options.signal)
      const version = connection.versionFor(api)
      const response = await connection.request(api, build(version), { ...options, version })
      check(response)
      return response
    }, {
      ...this.retry,
      signal: options.signal,
      beforeRetry: () => this.forgetCoordinator(key, type)
    })
  }

  async close (): Promise<void> {
    this.closed = true
    const all = [...this.byAddress.values()]
    this.byAddress.clear()
    for (const p of all) {
      try {
        (await p).close()
      } catch {
        // A connection that never opened has nothing to close.
      }
    }
  }
}

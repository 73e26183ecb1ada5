// Client metrics (KIP-714) as Kafka's ClientMetricsManager handles them: a client instance asks
// for its subscription (GetTelemetrySubscriptions), then pushes metrics (PushTelemetry) no more
// often than the subscription's push interval. Brook keeps, per client instance, the
// subscription it handed out and the latest metrics pushed (decompressed OTLP bytes), for the
// metrics and console work to read. What a client is asked for comes from the client metrics
// subscriptions (telemetry/subscriptions.ts); a client no subscription matches gets the empty one
// (no requested metrics, Kafka's default 5-minute interval), which KIP-714 defines as valid.
// When the subscriptions change, an instance is re-matched on its next request, as Kafka's
// ClientMetricsManager: a new subscription id, so a push with the old one is answered
// UNKNOWN_SUBSCRIPTION_ID and the client asks again.
// Instances are kept least recently used first, at most 16384 (Kafka's cache size), and dropped
// once idle for three push intervals (at least a minute), as Kafka's cache expiry.
import { createHash } from 'node:crypto'
import { ErrorCode } from '@brook/protocol'
import { randomTopicId } from '../cluster/uuid.js'
import type { ClientSelectorInput } from './subscriptions.js'

const DEFAULT_PUSH_INTERVAL_MS = 300_000
/** zstd, lz4, gzip, snappy: Kafka's order of preference. */
const ACCEPTED_COMPRESSION_TYPES: readonly number[] = [4, 3, 1, 2]
const NO_COMPRESSION = 0
const MAX_INSTANCES = 16_384
const MIN_IDLE_EXPIRY_MS = 60_000
const RESERVED_IDS = new Set(['00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000001'])

export interface Subscription {
  requestedMetrics: string[]
  pushIntervalMs: number
}

export interface PushedMetrics {
  receivedAtMs: number
  /** OTLP MetricsData protobuf bytes, decompressed. */
  metrics: Buffer
  compressionType: number
  terminating: boolean
}

export interface ClientInstance {
  readonly clientInstanceId: string
  readonly clientId: string | null
  readonly clientHost: string | null
  readonly subscriptionId: number
  readonly subscription: Subscription
  /** The subscriptions' version this instance was matched under. */
  readonly subscriptionVersion: number
  lastGetMs: number
  lastPushMs: number
  lastSeenMs: number
  terminating: boolean
  lastError: number
  latest: PushedMetrics | null
}

export interface SubscriptionAnswer {
  errorCode: number
  clientInstanceId: string
  subscriptionId: number
  acceptedCompressionTypes: number[]
  pushIntervalMs: number
  telemetryMaxBytes: number
  deltaTemporality: boolean
  requestedMetrics: string[]
}

export interface PushInput {
  clientInstanceId: string
  subscriptionId: number
  terminating: boolean
  compressionType: number
  metrics: Buffer
}

export interface ClientIdentity {
  clientId: string | null
  clientHost: string | null
  clientPort?: number | null
  /** From the connection's ApiVersions request (KIP-511). */
  clientSoftwareName?: string | null
  clientSoftwareVersion?: string | null
}

/** Where subscriptions come from; `version` changes whenever they do. */
export interface SubscriptionSource {
  readonly version: number
  subscriptionFor: (client: ClientSelectorInput) => Subscription
}

export type Decompress = (compressionType: number, bytes: Buffer) => Promise<Buffer>

export interface ClientTelemetryOptions {
  telemetryMaxBytes: number
  decompress: Decompress
  /** What to ask of a client; the empty subscription when nothing is configured. */
  subscriptions?: SubscriptionSource
  clock?: () => number
}

export class ClientTelemetry {
  readonly #instances = new Map<string, ClientInstance>()
  readonly #maxBytes: number
  readonly #decompress: Decompress
  readonly #subscriptions: SubscriptionSource
  readonly #clock: () => number

  constructor (options: ClientTelemetryOptions) {
    this.#maxBytes = options.telemetryMaxBytes
    this.#decompress = options.decompress
    this.#subscriptions = options.subscriptions ?? { version: 0, subscriptionFor: () => ({ requestedMetrics: [], pushIntervalMs: DEFAULT_PUSH_INTERVAL_MS }) }
    this.#clock = options.clock ?? Date.now
  }

  /** GetTelemetrySubscriptions: a zero id gets a new one; asking again within the interval is throttled. */
  subscribe (requestedId: string, client: ClientIdentity): SubscriptionAnswer {
    const now = this.#clock()
    const clientInstanceId = RESERVED_IDS.has(requestedId) ? randomTopicId() : requestedId
    const instance = this.#instance(clientInstanceId, client, now)
    const sinceLast = now - Math.max(instance.lastGetMs, instance.lastPushMs)
    const retrying = instance.lastError === ErrorCode.UNKNOWN_SUBSCRIPTION_ID || instance.lastError === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE
    if (sinceLast < instance.subscription.pushIntervalMs && !retrying) {
      instance.lastError = ErrorCode.THROTTLING_QUOTA_EXCEEDED
      return this.#answer(instance, ErrorCode.THROTTLING_QUOTA_EXCEEDED)
    }
    instance.lastGetMs = now
    instance.lastError = ErrorCode.NONE
    return this.#answer(instance, ErrorCode.NONE)
  }

  /** PushTelemetry: validated in Kafka's order; accepted metrics replace the instance's latest. */
  async push (input: PushInput, client: ClientIdentity): Promise<number> {
    if (RESERVED_IDS.has(input.clientInstanceId)) return ErrorCode.INVALID_REQUEST
    const now = this.#clock()
    const instance = this.#instance(input.clientInstanceId, client, now)
    const code = this.#validatePush(instance, input, now)
    // As Kafka: the terminating flag sticks whether or not the push was valid.
    instance.terminating = input.terminating
    instance.lastError = code
    if (code !== ErrorCode.NONE) return code
    if (input.metrics.length === 0) return ErrorCode.NONE
    let metrics: Buffer
    try {
      metrics = input.compressionType === NO_COMPRESSION ? Buffer.from(input.metrics) : await this.#decompress(input.compressionType, input.metrics)
    } catch {
      // Undecodable metrics are the client's fault and are answered as such (Kafka: INVALID_RECORD).
      instance.lastError = ErrorCode.INVALID_RECORD
      return ErrorCode.INVALID_RECORD
    }
    instance.latest = { receivedAtMs: now, metrics, compressionType: input.compressionType, terminating: input.terminating }
    return ErrorCode.NONE
  }

  /** The instance's state, or undefined when unknown or expired. */
  get (clientInstanceId: string): Readonly<ClientInstance> | undefined {
    this.#expire(this.#clock())
    return this.#instances.get(clientInstanceId)
  }

  /** Every live instance, least recently seen first. */
  instances (): Array<Readonly<ClientInstance>> {
    this.#expire(this.#clock())
    return [...this.#instances.values()]
  }

  #validatePush (instance: ClientInstance, input: PushInput, now: number): number {
    if (instance.terminating) return ErrorCode.INVALID_REQUEST
    if (input.subscriptionId !== instance.subscriptionId) return ErrorCode.UNKNOWN_SUBSCRIPTION_ID
    // The first push after a GetTelemetrySubscriptions is always accepted: clients add jitter.
    const accepted = instance.lastGetMs > instance.lastPushMs || now - instance.lastPushMs >= instance.subscription.pushIntervalMs
    if (accepted) instance.lastPushMs = now
    else if (!input.terminating) return ErrorCode.THROTTLING_QUOTA_EXCEEDED
    if (input.compressionType !== NO_COMPRESSION && !ACCEPTED_COMPRESSION_TYPES.includes(input.compressionType)) {
      return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE
    }
    if (input.metrics.length > this.#maxBytes) return ErrorCode.TELEMETRY_TOO_LARGE
    return ErrorCode.NONE
  }

  #instance (clientInstanceId: string, client: ClientIdentity, now: number): ClientInstance {
    this.#expire(now)
    let instance = this.#instances.get(clientInstanceId)
    const version = this.#subscriptions.version
    if (instance !== undefined && instance.subscriptionVersion === version) {
      // Most recently used last.
      this.#instances.delete(clientInstanceId)
    } else {
      // New, or matched under subscriptions that have since changed: matched afresh, as Kafka.
      const previous = instance
      if (previous !== undefined) this.#instances.delete(clientInstanceId)
      const subscription = this.#subscriptions.subscriptionFor({
        clientId: client.clientId,
        clientInstanceId,
        clientSoftwareName: client.clientSoftwareName ?? null,
        clientSoftwareVersion: client.clientSoftwareVersion ?? null,
        clientSourceAddress: client.clientHost,
        clientSourcePort: client.clientPort ?? null
      })
      instance = {
        clientInstanceId,
        clientId: client.clientId,
        clientHost: client.clientHost,
        subscriptionId: subscriptionIdOf(subscription, clientInstanceId),
        subscription,
        subscriptionVersion: version,
        lastGetMs: 0,
        lastPushMs: 0,
        lastSeenMs: now,
        terminating: false,
        lastError: ErrorCode.NONE,
        // The metrics already pushed stay visible until the client pushes under its new subscription.
        latest: previous?.latest ?? null
      }
      if (this.#instances.size >= MAX_INSTANCES) {
        const oldest = this.#instances.keys().next()
        if (oldest.done !== true) this.#instances.delete(oldest.value)
      }
    }
    instance.lastSeenMs = now
    this.#instances.set(clientInstanceId, instance)
    return instance
  }

  #expire (now: number): void {
    for (const [id, instance] of this.#instances) {
      const ttl = Math.max(MIN_IDLE_EXPIRY_MS, 3 * instance.subscription.pushIntervalMs)
      // Oldest first: the first live one ends the scan.
      if (now - instance.lastSeenMs < ttl) break
      this.#instances.delete(id)
    }
  }

  #answer (instance: ClientInstance, errorCode: number): SubscriptionAnswer {
    return {
      errorCode,
      clientInstanceId: instance.clientInstanceId,
      subscriptionId: instance.subscriptionId,
      acceptedCompressionTypes: [...ACCEPTED_COMPRESSION_TYPES],
      pushIntervalMs: instance.subscription.pushIntervalMs,
      telemetryMaxBytes: this.#maxBytes,
      deltaTemporality: true,
      requestedMetrics: [...instance.subscription.requestedMetrics]
    }
  }
}

/** A stable id for what was asked of this instance (Kafka hashes the same inputs). */
function subscriptionIdOf (subscription: Subscription, clientInstanceId: string): number {
  const text = `${subscription.requestedMetrics.join(',')}|${subscription.pushIntervalMs}|${clientInstanceId}`
  return createHash('sha256').update(text).digest().readInt32BE(0)
}

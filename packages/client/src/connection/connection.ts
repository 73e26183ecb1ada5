// One TCP (or TLS) connection to one broker. Requests are pipelined: each gets the next
// correlation id and is written at once; Kafka answers a connection's requests in the order it
// received them, so responses are matched against the head of a FIFO queue, and a correlation id
// that is not the head's means the stream is broken (the connection closes and every pending
// request fails with a retriable ConnectionError).
// A request that times out or is aborted is settled for its caller at once but stays in the queue
// so that its late response is still consumed in order.
// On connect: ApiVersions (the highest version the broker answers, see negotiateApiVersions),
// then SASL if configured.
import net from 'node:net'
import tls from 'node:tls'
import {
  type ApiSchema, apiVersionsApi, decodeResponseFrame, encodeRequestFrame, ErrorCode, FrameSplitter,
  readCorrelationId, saslAuthenticateApi, saslHandshakeApi, Reader
} from '@brook/protocol'
import { type Logger, silentLogger } from '@brook/common'
import { AbortError, ConnectionError, TimeoutError } from '../errors/client-errors.js'
import { throwIfError } from '../errors/kafka-errors.js'
import { pickVersion, type VersionRange } from './versions.js'
import { type SaslOptions, saslExchange } from './sasl.js'

export interface ConnectionOptions {
  clientId?: string
  /** true for TLS with Node's defaults, or node:tls options (ca, cert, key, servername...). */
  tls?: boolean | tls.ConnectionOptions
  sasl?: SaslOptions
  /** socket.connection.setup.timeout.ms. Default 10000. */
  connectTimeoutMs?: number
  /** request.timeout.ms. Default 30000. */
  requestTimeoutMs?: number
  /** Largest response frame accepted. Default 512 MiB. */
  maxResponseBytes?: number
  logger?: Logger
}

export interface RequestOptions {
  signal?: AbortSignal
  timeoutMs?: number
  /** Send at this version instead of the negotiated one. */
  version?: number
}

interface Pending {
  correlationId: number
  settled: boolean
  resolve: (frame: Buffer) => void
  reject: (err: Error) => void
  cleanup: () => void
}

const API_VERSIONS_CLIENT_MAX = 4

export class Connection {
  readonly host: string
  readonly port: number
  readonly name: string
  private readonly options: ConnectionOptions
  private readonly logger: Logger
  private socket: net.Socket | null = null
  private readonly splitter: FrameSplitter
  private readonly queue: Pending[] = []
  private queueHead = 0
  private nextCorrelationId = 1
  private closedError: Error | null = null
  private readonly closeListeners: Array<(err: Error) => void> = []
  /** The broker's ranges from ApiVersions, by api key. */
  readonly brokerVersions = new Map<number, VersionRange>()
  private readonly chosen = new Map<number, number>()

  constructor (host: string, port: number, options: ConnectionOptions = {}) {
    this.host = host
    this.port = port
    this.name = `${host}:${port}`
    this.options = options
    this.logger = options.logger ?? silentLogger
    this.splitter = new FrameSplitter(options.maxResponseBytes ?? 512 * 1024 * 1024)
  }

  get connected (): boolean { return this.socket !== null && this.closedError === null }
  /** Requests written and not yet answered. */
  get inFlight (): number { return this.queue.length - this.queueHead }

  onClose (listener: (err: Error) => void): void { this.closeListeners.push(listener) }

  async connect (signal?: AbortSignal): Promise<void> {
    const socket = await this.openSocket(signal)
    this.socket = socket
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (err) => this.fail(new ConnectionError(this.name, `socket error: ${err.message}`, { cause: err })))
    socket.on('close', () => this.fail(new ConnectionError(this.name, 'connection closed')))
    try {
      await this.negotiateApiVersions(signal)
      if (this.options.sasl !== undefined) await this.authenticate(this.options.sasl, signal)
    } catch (err) {
      this.close()
      throw err
    }
  }

  private openSocket (signal?: AbortSignal): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) { reject(new AbortError(signal.reason)); return }
      const tlsOption = this.options.tls
      const useTls = tlsOption !== undefined && tlsOption !== false
      const socket = useTls
        ? tls.connect({ host: this.host, port: this.port, servername: net.isIP(this.host) === 0 ? this.host : undefined, ...(typeof tlsOption === 'object' ? tlsOption : {}) })
        : net.connect({ host: this.host, port: this.port })
      const timeoutMs = this.options.connectTimeoutMs ?? 10_000
      const finish = (err: Error | null): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        socket.removeListener('error', onError)
        socket.removeListener(useTls ? 'secureConnect' : 'connect', onConnect)
        if (err === null) { resolve(socket); return }
        socket.destroy()
        reject(err)
      }
      const onConnect = (): void => finish(null)
      const onError = (err: Error): void => finish(new ConnectionError(this.name, `cannot connect: ${err.message}`, { cause: err }))
      const onAbort = (): void => finish(new AbortError(signal?.reason))
      const timer = setTimeout(() => finish(new ConnectionError(this.name, `no connection within ${timeoutMs} ms`)), timeoutMs)
      socket.once(useTls ? 'secureConnect' : 'connect', onConnect)
      socket.once('error', onError)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  // ApiVersions at the client's highest version; a broker that does not know it answers with a
  // v0 body carrying UNSUPPORTED_VERSION and its own range for ApiVersions, and the client asks again.
  private async negotiateApiVersions (signal?: AbortSignal): Promise<void> {
    let version = API_VERSIONS_CLIENT_MAX
    for (let attempt = 0; attempt < 2; attempt++) {
      const body = version >= 3 ? { clientSoftwareName: 'brook-client', clientSoftwareVersion: '0.1.0' } : {}
      const frame = await this.sendRaw(apiVersionsApi, version, body, { signal })
      const errorCode = new Reader(frame, 4).readInt16()
      if (errorCode === ErrorCode.UNSUPPORTED_VERSION) {
        const v0 = decodeResponseFrame(frame, apiVersionsApi, 0).body
        const offered = v0.apiKeys.find((k) => k.apiKey === apiVersionsApi.key)
        version = Math.min(version - 1, offered?.maxVersion ?? 0)
        continue
      }
      const response = decodeResponseFrame(frame, apiVersionsApi, version).body
      throwIfError(response.errorCode, `ApiVersions from ${this.name}`)
      for (const k of response.apiKeys) this.brokerVersions.set(k.apiKey, { min: k.minVersion, max: k.maxVersion })
      return
    }
    throw new ConnectionError(this.name, 'the broker rejected every ApiVersions version this client tried')
  }

  private async authenticate (sasl: SaslOptions, signal?: AbortSignal): Promise<void> {
    const exchange = saslExchange(sasl)
    const handshake = await this.request(saslHandshakeApi, { mechanism: sasl.mechanism }, { signal })
    throwIfError(handshake.errorCode, `SASL ${sasl.mechanism}; the broker offers ${handshake.mechanisms.join(', ')}`)
    let server: Buffer | null = null
    for (;;) {
      const bytes = exchange.next(server)
      if (bytes === null) return
      const answer = await this.request(saslAuthenticateApi, { authBytes: bytes }, { signal })
      throwIfError(answer.errorCode, answer.errorMessage)
      server = answer.authBytes
    }
  }

  /** The version this connection sends `api` at; throws UnsupportedVersionError if none is shared. */
  versionFor (api: ApiSchema): number {
    let v = this.chosen.get(api.key)
    if (v === undefined) {
      v = pickVersion(api, this.brokerVersions.get(api.key), `broker ${this.name}`)
      this.chosen.set(api.key, v)
    }
    return v
  }

  async request<Req, Res> (api: ApiSchema<Req, Res>, body: Req, options: RequestOptions = {}): Promise<Res> {
    const version = options.version ?? this.versionFor(api)
    const frame = await this.sendRaw(api, version, body, options)
    return decodeResponseFrame(frame, api, version).body
  }

  /** Sends a request the broker does not answer (Produce with acks=0). */
  sendOneWay<Req> (api: ApiSchema<Req, unknown>, body: Req, version = this.versionFor(api)): void {
    if (this.closedError !== null || this.socket === null) throw this.closedError ?? new ConnectionError(this.name, 'not connected')
    this.write(encodeRequestFrame(this.takeCorrelationId(), this.options.clientId ?? 'brook', api, version, body))
  }

  private takeCorrelationId (): number {
    const id = this.nextCorrelationId
    this.nextCorrelationId = id === 0x7fffffff ? 1 : id + 1
    return id
  }

  private write (buffers: Buffer[]): void {
    const socket = this.socket!
    if (buffers.length === 1) { socket.write(buffers[0]!); return }
    socket.cork()
    for (const b of buffers) socket.write(b)
    socket.uncork()
  }

  /** Sends a request and resolves with its response frame (without the size prefix). */
  sendRaw<Req> (api: ApiSchema<Req, unknown>, version: number, body: Req, options: RequestOptions = {}): Promise<Buffer> {
    if (this.closedError !== null) return Promise.reject(this.closedError)
    if (this.socket === null) return Promise.reject(new ConnectionError(this.name, 'not connected'))
    const signal = options.signal
    if (signal?.aborted === true) return Promise.reject(new AbortError(signal.reason))
    const correlationId = this.takeCorrelationId()
    const buffers = encodeRequestFrame(correlationId, this.options.clientId ?? 'brook', api, version, body)
    return new Promise<Buffer>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 30_000
      const pending: Pending = {
        correlationId,
        settled: false,
        resolve: (frame) => { if (!pending.settled) { pending.settled = true; pending.cleanup(); resolve(frame) } },
        reject: (err) => { if (!pending.settled) { pending.settled = true; pending.cleanup(); reject(err) } },
        cleanup: () => { clearTimeout(timer); signal?.removeEventListener('abort', onAbort) }
      }
      const onAbort = (): void => pending.reject(new AbortError(signal?.reason))
      const timer = setTimeout(() => {
        pending.reject(new TimeoutError(`${api.name} v${version} to ${this.name}: no response within ${timeoutMs} ms (request.timeout.ms)`))
      }, timeoutMs)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.queue.push(pending)
      this.write(buffers)
    })
  }

  private onData (chunk: Buffer): void {
    try {
      this.splitter.push(chunk, (frame) => this.onFrame(frame))
    } catch (err) {
      this.fail(new ConnectionError(this.name, `unreadable response stream: ${(err as Error).message}`, { cause: err }))
    }
  }

  private onFrame (frame: Buffer): void {
    const pending = this.queue[this.queueHead]
    const correlationId = readCorrelationId(frame)
    if (pending === undefined || pending.correlationId !== correlationId) {
      throw new Error(`response with correlation id ${correlationId}, expected ${pending?.correlationId ?? 'none'}`)
    }
    this.queue[this.queueHead++] = undefined as unknown as Pending
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead)
      this.queueHead = 0
    }
    pending.resolve(frame)
  }

  private fail (err: Error): void {
    if (this.closedError !== null) return
    this.closedError = err
    this.logger.debug({ broker: this.name, err: err.message }, 'connection closed')
    this.socket?.destroy()
    for (let i = this.queueHead; i < this.queue.length; i++) this.queue[i]!.reject(err)
    this.queue.length = 0
    this.queueHead = 0
    for (const listener of this.closeListeners) listener(err)
  }

  close (): void {
    this.fail(new ConnectionError(this.name, 'connection closed by the client'))
  }
}

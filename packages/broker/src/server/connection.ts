// One client connection: frames are split and decoded as they arrive, many requests run at once,
// and responses are written strictly in request order (a queue of pending slots; a finished slot
// waits for the ones before it). Writes of consecutive finished responses are batched under
// cork/uncork, which Node turns into one writev.
//
// The Java broker's answers to bad input, all here:
//   frame size < 0 or > socket.request.max.bytes, undecodable header, unknown api key,
//   unsupported version (except ApiVersions), undecodable body     -> close the connection (warn)
//   ApiVersions at an unsupported version  -> v0 response, UNSUPPORTED_VERSION, supported list
//   handler failure   -> the handler's error response with the mapped code (errors.ts)
//   a whole-request requirement refused by the authorizer (Handler.requires)
//                     -> the handler's error response with the requirement's code
//   a request the SASL state does not admit (security/session.ts)  -> close (warn)
// Quotas (quota/client-quotas.ts): a client over a quota gets throttle_time_ms in the response
// (set here and only here, for every API whose response has the field; handlers never set it)
// and its connection muted, nothing read from it, for that long. The response itself goes out at
// once for every version, as Kafka's broker does since KIP-219 (clients of the versions before it
// simply see the next request wait). request_percentage counts the time this event loop spent on
// the request: decoding it, the handler until it first waits (I/O, fsync, purgatory), encoding
// the response; Brook is one thread, so 100 % is the whole loop.
// Nothing a client sends may throw past this file.
import type { Socket } from 'node:net'
import { type ApiSchema, apiVersionsApi, ApiKey, decodeRequest, decodeRequestHeader, encodeResponseFrame, FrameSplitter, Reader, type RequestHeader } from '@brook/protocol'
import { mapError } from '../errors.js'
import { unsupportedVersionResponse } from '../handlers/api-versions.js'
import type { Handler } from '../handlers/handler.js'
import { type Logger, Lease } from '@brook/common'
import type { Session } from '../security/session.js'
import { refusal } from '../security/authorizer/request-access.js'
import type { BrokerState, ClientSoftware, RequestContext } from './request-context.js'

/**
 * Requests one connection may have under way or answered-but-unsent before it reads no more
 * (back-pressure); frames already read beyond it wait undecoded until there is room.
 */
const MAX_QUEUED_REQUESTS = 128

/** A frame read but not started yet: the connection is at one of its limits. */
interface HeldFrame {
  frame: Buffer
  gathered: Buffer | null
}

interface Slot {
  done: boolean
  frames: Buffer[] | null
  /** Pooled buffers the response refers to, given back once it is written. */
  lease: Lease | null
  /** The connection closes once this response is written (failed authentication). */
  closeAfter?: boolean
}

/** Responses that carry throttle_time_ms (top-level field of the response schema). */
const throttled = new WeakMap<ApiSchema, boolean>()
function carriesThrottle (api: ApiSchema): boolean {
  let has = throttled.get(api)
  if (has === undefined) {
    has = api.response.fields.some((f) => f.name === 'throttleTimeMs')
    throttled.set(api, has)
  }
  return has
}

/** KIP-599: the versions that can answer THROTTLING_QUOTA_EXCEEDED for a mutation. */
const STRICT_MUTATIONS = new Map<number, number>([[ApiKey.CreateTopics, 6], [ApiKey.CreatePartitions, 3], [ApiKey.DeleteTopics, 5]])

/** Kafka exempts these from request_percentage: ApiVersions and replication (follower fetches). */
function exemptFromRequestQuota (apiKey: number, request: unknown): boolean {
  if (apiKey === ApiKey.ApiVersions) return true
  if (apiKey !== ApiKey.Fetch) return false
  const fetch = request as { replicaId?: number, replicaState?: { replicaId?: number } | null }
  return (fetch.replicaId ?? -1) >= 0 || (fetch.replicaState?.replicaId ?? -1) >= 0
}

export class Connection {
  readonly socket: Socket
  private readonly broker: BrokerState
  private readonly handlers: ReadonlyMap<number, Handler>
  private readonly logger: Logger
  private readonly session: Session | undefined
  private readonly clientSoftware: ClientSoftware = { name: null, version: null }
  private readonly splitter: FrameSplitter
  private readonly queue: Slot[] = []
  private draining = false
  private closed = false
  private readonly closedPromise: Promise<void>
  private onIdle: (() => void) | null = null
  private flushQueued = false
  /** Until when (Date.now()) nothing is read: the client is throttled. */
  private mutedUntil = 0
  /**
   * Frames read while the connection was at a limit (MAX_QUEUED_REQUESTS, responses unsent,
   * queued.max.requests): started in order once there is room. Only what one socket read
   * brought can pile up here, because reading pauses as the first frame is held.
   */
  private readonly held: HeldFrame[] = []
  /** This connection's requests whose handler has not settled yet. */
  private running = 0
  private readonly wake = (): void => this.startHeld()

  /** `session`: the connection's security state; without one, a PLAINTEXT connection. */
  constructor (socket: Socket, broker: BrokerState, handlers: ReadonlyMap<number, Handler>, logger: Logger, session?: Session) {
    this.socket = socket
    this.broker = broker
    this.handlers = handlers
    this.session = session
    this.logger = logger.child({ client: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}` })
    const pool = broker.requestBuffers
    this.splitter = new FrameSplitter(broker.config.int('socket.request.max.bytes'), (size) => pool.allocate(size))
    this.closedPromise = new Promise((resolve) => socket.once('close', () => {
      this.closed = true
      this.held.length = 0
      broker.requestBudget?.forget(this.wake)
      resolve()
    }))
    socket.setNoDelay(true)
    const idleMs = broker.config.optionalNumber('connections.max.idle.ms') ?? -1
    if (idleMs > 0 && idleMs < 2 ** 31) {
      // A listener of its own: the callback setTimeout takes is called once only.
      socket.setTimeout(idleMs)
      socket.on('timeout', () => {
        // Not idle while a request is under way (a long poll): look again a whole period later,
        // since a fired timer is not armed again by itself.
        if (this.queue.length > 0) {
          socket.setTimeout(idleMs)
          return
        }
        this.logger.debug('closing idle connection')
        socket.destroy()
      })
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    // The client read what was waiting: held frames may start, then reading resumes.
    socket.on('drain', () => this.startHeld())
    socket.on('error', (err) => this.logger.debug({ err }, 'socket error'))
  }

  /** Shutdown: stop reading, answer what was read, then close. Resolves once the socket closed. */
  async drain (): Promise<void> {
    this.draining = true
    this.socket.pause()
    if (this.queue.length > 0) await new Promise<void>((resolve) => { this.onIdle = resolve })
    this.socket.end()
    // Reading again (onData drops what arrives) lets the peer's end of the stream be seen, so the
    // socket closes as soon as the client closes its side, not at the drain timeout.
    this.socket.resume()
    await this.closedPromise
  }

  /** Forced close (shutdown timeout). */
  destroy (): void {
    this.socket.destroy()
  }

  private onData (chunk: Buffer): void {
    if (this.draining || this.closed) return
    try {
      this.splitter.push(chunk, (frame, gathered) => this.admit(frame, gathered))
    } catch (err) {
      this.abort('invalid frame', err)
    }
  }

  /** Whether one more request may start now. */
  private hasRoom (): boolean {
    return this.queue.length < MAX_QUEUED_REQUESTS && !this.socket.writableNeedDrain &&
      (this.broker.requestBudget?.allows(this.running) ?? true)
  }

  /** A frame starts now, or waits (in order) while the connection is at a limit. */
  private admit (frame: Buffer, gathered: Buffer | null): void {
    if (this.held.length === 0 && this.hasRoom()) {
      this.onFrame(frame, gathered)
      return
    }
    this.held.push({ frame, gathered })
    this.socket.pause()
    this.waitForBudget()
  }

  /** Starts held frames while there is room; reading resumes once none is left. */
  private startHeld (): void {
    if (this.draining || this.closed) return
    while (this.held.length > 0 && this.hasRoom()) {
      const next = this.held.shift() as HeldFrame
      this.onFrame(next.frame, next.gathered)
      if (this.closed) return
    }
    if (this.held.length > 0) this.waitForBudget()
    else this.resumeIfRoom()
  }

  /** Held by queued.max.requests (and nothing else would wake it): wake when requests settle. */
  private waitForBudget (): void {
    const budget = this.broker.requestBudget
    if (budget !== undefined && !budget.allows(this.running)) budget.waitForRoom(this.wake)
  }

  /** `gathered`: the pooled buffer the frame was gathered into, if any (FrameSplitter). */
  private onFrame (frame: Buffer, gathered: Buffer | null): void {
    if (this.draining || this.closed) return
    if (this.session?.expectsRawToken === true) {
      this.onRawToken(this.session, frame)
      return
    }
    const reader = new Reader(frame)
    let header: RequestHeader
    try {
      header = decodeRequestHeader(reader)
    } catch (err) {
      this.abort('undecodable request header', err)
      return
    }
    const refusal = this.session?.admit(header.apiKey, Date.now()) ?? null
    if (refusal !== null) {
      this.abort(refusal)
      return
    }
    const handler = this.handlers.get(header.apiKey)
    if (handler === undefined) {
      this.abort(`unknown or unsupported api key ${header.apiKey}`)
      return
    }
    const { min, max } = handler.versions
    if (header.apiVersion < min || header.apiVersion > max) {
      if (header.apiKey === ApiKey.ApiVersions) {
        this.respondNow(header.correlationId, unsupportedVersionResponse(this.broker.handlers))
      } else {
        this.abort(`unsupported version ${header.apiVersion} of ${handler.api.name} (serves ${min}-${max})`)
      }
      return
    }
    let request: unknown
    const decodeStarted = performance.now()
    try {
      request = decodeRequest(handler.api, header.apiVersion, reader)
    } catch (err) {
      this.abort(`undecodable ${handler.api.name} v${header.apiVersion} request`, err)
      return
    }
    const slot: Slot = { done: false, frames: null, lease: null }
    this.queue.push(slot)
    const budget = this.broker.requestBudget
    this.running++
    budget?.acquire()
    const settled = (): void => {
      this.running--
      budget?.release()
    }
    if (!this.hasRoom()) this.socket.pause()
    // Views of the request die with the handler only where it says so; otherwise the buffer it
    // was gathered into is left to the garbage collector.
    const recycle = gathered !== null && handler.releasesRequestBytes ? gathered : null
    const decodeMs = performance.now() - decodeStarted
    this.run(handler, header, request, slot, frame.length, decodeMs).then((frames) => {
      settled()
      if (recycle !== null) this.broker.requestBuffers.give(recycle)
      slot.done = true
      slot.frames = frames
      if (this.session?.takeCloseRequest() === true) slot.closeAfter = true
      this.scheduleFlush()
    }, (err: unknown) => {
      settled()
      if (recycle !== null) this.broker.requestBuffers.give(recycle)
      // Only an unencodable response gets here: the stream cannot continue in order.
      slot.done = true
      this.abort(`cannot answer ${handler.api.name} v${header.apiVersion}`, err)
      this.flush()
    })
  }

  private async run (handler: Handler, header: RequestHeader, request: unknown, slot: Slot, requestBytes: number, decodeMs: number): Promise<Buffer[] | null> {
    const pool = this.broker.fetchBuffers
    const user = this.session?.principal.name ?? 'ANONYMOUS'
    const clientId = header.clientId ?? ''
    const strictFrom = STRICT_MUTATIONS.get(header.apiKey)
    const mutations = strictFrom === undefined ? null : this.broker.quotas?.mutations(user, clientId, header.apiVersion >= strictFrom, Date.now()) ?? null
    const ctx: RequestContext = {
      apiKey: header.apiKey,
      apiVersion: header.apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId,
      clientHost: this.socket.remoteAddress ?? '',
      clientPort: this.socket.remotePort,
      clientSoftware: this.clientSoftware,
      broker: this.broker,
      logger: this.logger,
      readLease: () => (slot.lease ??= new Lease(pool)),
      session: this.session,
      ...(mutations === null ? {} : { mutations })
    }
    let response: unknown
    const started = performance.now()
    let busyMs = decodeMs
    let failed = false
    try {
      const refused = handler.requires === undefined ? null : refusal(ctx, handler.requires(request, ctx))
      const pending = refused === null ? handler.handle(ctx, request) : handler.errorResponse(request, refused, ctx)
      // What ran before the handler first waited is this request's own work on the event loop.
      busyMs += performance.now() - started
      response = await pending
    } catch (err) {
      failed = true
      const { code } = mapError(err, this.logger, { api: handler.api.name, version: header.apiVersion })
      response = handler.errorResponse(request, code, ctx)
    }
    this.broker.metrics?.request(handler.api.name, performance.now() - started, failed)
    const encodeStarted = performance.now()
    const frames = response === null ? null : encodeResponseFrame(header.correlationId, handler.api, header.apiVersion, response)
    busyMs += performance.now() - encodeStarted
    let responseBytes = 0
    if (frames !== null) for (const f of frames) responseBytes += f.length
    const now = Date.now()
    const usage = { apiKey: header.apiKey, user, clientId, requestBytes, responseBytes, busyMs, exempt: exemptFromRequestQuota(header.apiKey, request) }
    const throttleMs = Math.max(this.broker.quotas?.record(usage, now) ?? 0, mutations?.throttleMs(now) ?? 0)
    this.mute(throttleMs, now)
    if (throttleMs <= 0 || response === null || typeof response !== 'object' || !carriesThrottle(handler.api)) return frames
    ;(response as { throttleTimeMs?: number }).throttleTimeMs = throttleMs
    return encodeResponseFrame(header.correlationId, handler.api, header.apiVersion, response)
  }

  /** A throttled client: nothing is read from it for `ms`. */
  private mute (ms: number, now: number): void {
    if (ms > 0 && now + ms > this.mutedUntil) {
      this.mutedUntil = now + ms
      this.socket.pause()
      this.unmuteLater(ms)
    }
  }

  /**
   * A SASL token after a v0 SaslHandshake: no request header, the answer is the bare token,
   * size-prefixed. A refused exchange just closes the connection (v0 has no error field).
   */
  private onRawToken (session: Session, token: Buffer): void {
    const slot: Slot = { done: false, frames: null, lease: null }
    this.queue.push(slot)
    session.authenticate(token, Date.now()).then((result) => {
      slot.done = true
      session.takeCloseRequest()
      if (result.ok) {
        const size = Buffer.alloc(4)
        size.writeInt32BE(result.response.length)
        slot.frames = [size, result.response]
      } else {
        slot.frames = []
        slot.closeAfter = true
      }
      this.scheduleFlush()
    }, (err: unknown) => {
      slot.done = true
      this.abort('SASL token failed', err)
    })
  }

  /** An ApiVersions v0 answer that bypasses the handlers (unsupported ApiVersions version). */
  private respondNow (correlationId: number, body: ReturnType<typeof unsupportedVersionResponse>): void {
    this.queue.push({ done: true, frames: encodeResponseFrame(correlationId, apiVersionsApi, 0, body), lease: null })
    this.scheduleFlush()
  }

  /**
   * Responses that finish in the same tick (one fsync pass acknowledges many produce requests)
   * go out in one write: the flush runs once the promise reactions of this tick have run.
   */
  private scheduleFlush (): void {
    if (this.flushQueued) return
    this.flushQueued = true
    process.nextTick(() => {
      this.flushQueued = false
      this.flush()
    })
  }

  private flush (): void {
    if (this.closed) {
      this.queue.length = 0
    }
    let corked = false
    while (this.queue.length > 0 && this.queue[0]?.done === true) {
      const slot = this.queue.shift() as Slot
      if (slot.frames === null || this.closed) continue
      if (!corked) {
        this.socket.cork()
        corked = true
      }
      const { frames, lease } = slot
      const last = frames.length - 1
      for (let i = 0; i < last; i++) this.socket.write(frames[i] as Buffer)
      // The write callback runs once Node no longer holds the buffers: the lease goes back then.
      if (lease !== null && lease.borrowed > 0) this.socket.write(frames[last] as Buffer, () => { lease.release() })
      else if (last >= 0) this.socket.write(frames[last] as Buffer)
      if (slot.closeAfter === true) {
        // The last answer goes out, then the connection ends (nothing more is read or answered).
        this.draining = true
        this.queue.length = 0
        this.socket.end()
        // A peer that keeps its side open does not keep the socket.
        setTimeout(() => this.socket.destroy(), 1000).unref()
        break
      }
    }
    if (corked) this.socket.uncork()
    // A client that does not read its responses stops being read from.
    if (this.socket.writableNeedDrain) this.socket.pause()
    else this.startHeld()
    if (this.queue.length === 0 && this.onIdle !== null) {
      const idle = this.onIdle
      this.onIdle = null
      idle()
    }
  }

  /** Timers may fire a little early: check again until the mute has really ended. */
  private unmuteLater (ms: number): void {
    setTimeout(() => {
      const left = this.mutedUntil - Date.now()
      if (left > 0) this.unmuteLater(left)
      else this.startHeld()
    }, ms).unref()
  }

  private resumeIfRoom (): void {
    if (this.draining || this.closed || !this.socket.isPaused()) return
    if (Date.now() < this.mutedUntil || this.held.length > 0) return
    if (this.queue.length < MAX_QUEUED_REQUESTS / 2 && this.hasRoom()) this.socket.resume()
  }

  private abort (reason: string, err?: unknown): void {
    if (this.closed) return
    this.logger.warn(err === undefined ? {} : { err }, `closing connection: ${reason}`)
    this.closed = true
    this.queue.length = 0
    this.socket.destroy()
    if (this.onIdle !== null) {
      const idle = this.onIdle
      this.onIdle = null
      idle()
    }
  }
}

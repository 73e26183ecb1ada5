// A minimal Kafka client over a raw socket, built from @brook/protocol, for driving the broker
// in tests: send any request at any version, read responses in order, send raw bytes.
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { type ApiSchema, decodeResponseFrame, encodeRequestFrame, FrameSplitter, readCorrelationId } from '@brook/protocol'

interface Waiting {
  correlationId: number
  resolve: (frame: Buffer) => void
  reject: (err: Error) => void
}

export class RawClient {
  private readonly socket: Socket
  private readonly waiting: Waiting[] = []
  private nextCorrelationId = 1
  /** Resolves when the broker (or the client) closes the connection. */
  readonly closed: Promise<void>
  /** Frames that arrived with nobody waiting for them (there should be none). */
  readonly unexpected: Buffer[] = []

  private constructor (socket: Socket) {
    this.socket = socket
    const splitter = new FrameSplitter(256 * 1024 * 1024)
    socket.on('data', (chunk: Buffer) => splitter.push(chunk, (frame) => this.onFrame(frame)))
    this.closed = new Promise((resolve) => socket.once('close', () => {
      for (const w of this.waiting.splice(0)) w.reject(new Error('connection closed'))
      resolve()
    }))
    // A reset by the broker is expected in tests; it surfaces as `closed` and rejected requests.
    socket.on('error', () => {})
  }

  static async connect (bootstrap: string): Promise<RawClient> {
    const sep = bootstrap.lastIndexOf(':')
    const socket = connect({ host: bootstrap.slice(0, sep).replace(/^\[|\]$/g, ''), port: Number(bootstrap.slice(sep + 1)) })
    await once(socket, 'connect')
    return new RawClient(socket)
  }

  private onFrame (frame: Buffer): void {
    const correlationId = readCorrelationId(frame)
    const next = this.waiting[0]
    if (next === undefined || next.correlationId !== correlationId) {
      this.unexpected.push(frame)
      return
    }
    this.waiting.shift()
    next.resolve(frame)
  }

  /** Sends a request and resolves with its decoded response. */
  async request<Req, Res> (api: ApiSchema<Req, Res>, version: number, body: Req): Promise<Res> {
    const correlationId = this.nextCorrelationId++
    const frame = new Promise<Buffer>((resolve, reject) => this.waiting.push({ correlationId, resolve, reject }))
    this.write(encodeRequestFrame(correlationId, 'brook-test', api, version, body))
    const decoded = decodeResponseFrame(await frame, api, version)
    return decoded.body
  }

  /** Sends a request that gets no response (Produce acks=0). */
  sendOnly<Req> (api: ApiSchema<Req, unknown>, version: number, body: Req): void {
    this.write(encodeRequestFrame(this.nextCorrelationId++, 'brook-test', api, version, body))
  }

  /** Sends a request and resolves with the raw response frame (after the size prefix). */
  async requestRaw<Req> (api: ApiSchema<Req, unknown>, version: number, body: Req): Promise<Buffer> {
    const correlationId = this.nextCorrelationId++
    const frame = new Promise<Buffer>((resolve, reject) => this.waiting.push({ correlationId, resolve, reject }))
    this.write(encodeRequestFrame(correlationId, 'brook-test', api, version, body))
    return await frame
  }

  /** Stops reading responses (the broker's writes back up), until resume(). */
  pause (): void { this.socket.pause() }
  resume (): void { this.socket.resume() }

  writeRaw (bytes: Buffer): void {
    this.socket.write(bytes)
  }

  private write (buffers: Buffer[]): void {
    for (const b of buffers) this.socket.write(b)
  }

  close (): void {
    this.socket.destroy()
  }
}

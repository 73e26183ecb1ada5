// Raw Kafka connections for tests that must send what no client would: a length-prefixed frame
// reader over a plain socket, and a hand-built ApiVersions v0 request (independent of
// @brook/protocol, so the broker is not checked against its own codec).
// Frame layout: int32 size (big-endian, bytes that follow), then the message.
// ApiVersions v0 request: int16 api key 18, int16 version 0, int32 correlation id,
// int16 client id length + bytes; empty body.
import { connect, type Socket } from 'node:net'

export function apiVersionsV0Request (correlationId: number, clientId = 'brook-testkit'): Buffer {
  const id = Buffer.from(clientId, 'utf8')
  const frame = Buffer.alloc(4 + 2 + 2 + 4 + 2 + id.length)
  frame.writeInt32BE(frame.length - 4, 0)
  frame.writeInt16BE(18, 4)
  frame.writeInt16BE(0, 6)
  frame.writeInt32BE(correlationId, 8)
  frame.writeInt16BE(id.length, 12)
  id.copy(frame, 14)
  return frame
}

export interface ApiVersionsV0 {
  correlationId: number
  errorCode: number
  apis: Array<{ apiKey: number, minVersion: number, maxVersion: number }>
}

/** Parses an ApiVersions v0 response frame body (after the size prefix). */
export function parseApiVersionsV0 (body: Buffer): ApiVersionsV0 {
  const correlationId = body.readInt32BE(0)
  const errorCode = body.readInt16BE(4)
  const count = body.readInt32BE(6)
  const apis: ApiVersionsV0['apis'] = []
  for (let i = 0, at = 10; i < count; i++, at += 6) {
    apis.push({ apiKey: body.readInt16BE(at), minVersion: body.readInt16BE(at + 2), maxVersion: body.readInt16BE(at + 4) })
  }
  return { correlationId, errorCode, apis }
}

/** A socket that hands back whole response frames (without their size prefix), in order. */
export class RawConnection {
  readonly socket: Socket
  /** Resolves when the peer or we closed the socket; never rejects. */
  readonly closed: Promise<void>
  private buffered: Buffer = Buffer.alloc(0)
  private readonly frames: Buffer[] = []
  private waiter: (() => void) | undefined
  private ended = false

  private constructor (socket: Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk])
      while (this.buffered.length >= 4) {
        const size = this.buffered.readInt32BE(0)
        if (this.buffered.length < 4 + size) break
        this.frames.push(this.buffered.subarray(4, 4 + size))
        this.buffered = this.buffered.subarray(4 + size)
      }
      this.wake()
    })
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.ended = true
        this.wake()
        resolve()
      })
    })
    // Resets are an expected answer to garbage; 'close' follows and records the end.
    socket.on('error', () => { this.ended = true })
  }

  static connect (host: string, port: number, timeoutMs = 5000): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`connect to ${host}:${port} timed out`))
      }, timeoutMs)
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeListener('error', reject)
        resolve(new RawConnection(socket))
      })
      socket.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
    })
  }

  get isClosed (): boolean {
    return this.ended
  }

  write (bytes: Buffer): void {
    if (!this.ended && !this.socket.destroyed) this.socket.write(bytes)
  }

  /** The next frame, or undefined if the connection closed first; rejects on timeout. */
  async nextFrame (timeoutMs: number): Promise<Buffer | undefined> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const frame = this.frames.shift()
      if (frame !== undefined) return frame
      if (this.ended) return undefined
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no response frame within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiter = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** Waits until a frame arrives or the connection closes: "answered or closed". */
  async answeredOrClosed (timeoutMs: number): Promise<'answered' | 'closed'> {
    const frame = await this.nextFrame(timeoutMs)
    return frame === undefined ? 'closed' : 'answered'
  }

  destroy (): void {
    this.socket.destroy()
  }

  private wake (): void {
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.()
  }
}

/** One ApiVersions v0 round trip on a fresh connection: the broker's health check. */
export async function probeApiVersions (host: string, port: number, timeoutMs = 5000): Promise<ApiVersionsV0> {
  const conn = await RawConnection.connect(host, port, timeoutMs)
  try {
    const correlationId = 0x5eed
    conn.write(apiVersionsV0Request(correlationId))
    const frame = await conn.nextFrame(timeoutMs)
    if (frame === undefined) throw new Error('connection closed before the ApiVersions response')
    return parseApiVersionsV0(frame)
  } finally {
    conn.destroy()
  }
}

// One Kafka connection from this broker to another (a follower to its leader): requests framed
// with the protocol package's codec, answered in order, matched by correlation id. Any socket
// error or timeout fails every request in flight and closes the connection; the owner makes a
// new one (replication retries with a back-off). The connection is made as the inter-broker
// listener asks (security/inter-broker.ts): TLS, then a SASL login, before anything else is sent.
import { connect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { type ApiSchema, decodeResponseFrame, encodeRequestFrame, FrameSplitter } from '@brook/protocol'
import type { PeerSecurity } from '../security/inter-broker.js'
import { peerLogin } from '../security/sasl/peer-login.js'

/** Larger than any fetch response a follower asks for (replica.fetch.response.max.bytes is capped below it). */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024

interface InFlight {
  correlationId: number
  resolve: (frame: Buffer) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

export class PeerClient {
  private readonly socket: Socket
  private readonly inFlight: InFlight[] = []
  private nextCorrelationId = 1
  private failure: Error | null = null

  private constructor (socket: Socket, private readonly clientId: string) {
    this.socket = socket
    const splitter = new FrameSplitter(MAX_RESPONSE_BYTES)
    socket.on('data', (chunk: Buffer) => {
      try {
        splitter.push(chunk, (frame) => { this.onFrame(frame) })
      } catch (err) {
        this.fail(err as Error)
      }
    })
    socket.on('error', (err) => { this.fail(err) })
    socket.on('close', () => { this.fail(new Error('connection closed')) })
  }

  static async connect (host: string, port: number, clientId: string, timeoutMs: number, security: PeerSecurity | null = null): Promise<PeerClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const tls = security?.tls ?? null
      const socket = tls === null ? connect({ host, port }) : tlsConnect({ host, port, ...tls(host) })
      socket.setNoDelay(true)
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`connect to ${host}:${port} timed out`))
      }, timeoutMs)
      socket.once(tls === null ? 'connect' : 'secureConnect', () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        resolve(socket)
      })
      socket.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
    })
    const client = new PeerClient(socket, clientId)
    if (security?.sasl != null) {
      try {
        await peerLogin(async (api, version, body) => await client.send(api, version, body, timeoutMs), security.sasl)
      } catch (err) {
        client.close()
        throw err
      }
    }
    return client
  }

  get closed (): boolean {
    return this.failure !== null
  }

  async send<Req, Res> (api: ApiSchema<Req, Res>, version: number, body: Req, timeoutMs: number): Promise<Res> {
    if (this.failure !== null) throw this.failure
    const correlationId = this.nextCorrelationId++
    const frame = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => { this.fail(new Error(`${api.name} timed out after ${timeoutMs} ms`)) }, timeoutMs)
      this.inFlight.push({ correlationId, resolve, reject, timer })
      this.socket.write(Buffer.concat(encodeRequestFrame(correlationId, this.clientId, api, version, body)))
    })
    return decodeResponseFrame(frame, api, version).body
  }

  close (): void {
    this.fail(new Error('connection closed by this broker'))
  }

  private onFrame (frame: Buffer): void {
    const next = this.inFlight.shift()
    if (next === undefined) {
      this.fail(new Error('response without a request'))
      return
    }
    clearTimeout(next.timer)
    if (frame.readInt32BE(0) !== next.correlationId) {
      next.reject(new Error('response out of order'))
      this.fail(new Error('response out of order'))
      return
    }
    next.resolve(frame)
  }

  private fail (err: Error): void {
    if (this.failure === null) this.failure = err
    for (const request of this.inFlight.splice(0)) {
      clearTimeout(request.timer)
      request.reject(err)
    }
    this.socket.destroy()
  }
}

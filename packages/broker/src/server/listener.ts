// The TCP listener: binds the configured listener (port 0: a free port), hands each socket to a
// Connection, and on close stops accepting, lets every connection answer what it has read, and
// closes them. A TLS listener hands over the socket once its handshake is done; a client whose
// handshake fails (untrusted certificate, no common version) never reaches a Connection.
import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls'
import type { Logger } from '@brook/common'
import type { ListenerTls } from '../security/tls.js'

export interface ListenerOptions {
  /** '' binds every interface. */
  host: string
  port: number
  backlog: number
  onSocket: (socket: Socket) => void
  logger: Logger
  /** Serve TLS (SSL and SASL_SSL listeners). */
  tls?: ListenerTls
}

export class Listener {
  readonly host: string
  readonly port: number
  private readonly server: Server
  /** TLS only: sockets whose handshake has not finished (no Connection owns them yet). */
  private readonly handshaking: Map<string, Socket> | null

  private constructor (server: Server, host: string, port: number, handshaking: Map<string, Socket> | null) {
    this.server = server
    this.handshaking = handshaking
    this.host = host
    this.port = port
  }

  static async listen (options: ListenerOptions): Promise<Listener> {
    const handshaking = options.tls === undefined ? null : new Map<string, Socket>()
    const server = options.tls === undefined || handshaking === null
      ? createServer({ noDelay: true }, options.onSocket)
      : tlsServer(options.tls, options.onSocket, options.logger, handshaking)
    server.on('error', (err) => options.logger.error({ err }, 'listener error'))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      const done = (): void => {
        server.off('error', reject)
        resolve()
      }
      if (options.host === '') server.listen({ port: options.port, backlog: options.backlog }, done)
      else server.listen({ host: options.host, port: options.port, backlog: options.backlog }, done)
    })
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('BROOK_LISTEN: no TCP address')
    return new Listener(server, options.host === '' ? address.address : options.host, address.port, handshaking)
  }

  /**
   * TLS only: the key, certificates and trust anchors new connections get from now on;
   * established connections keep the context they were made with (security/tls-reload.ts).
   */
  replaceTls (tls: ListenerTls): void {
    if (this.handshaking === null) throw new Error('BROOK_NOT_TLS: this listener does not serve TLS')
    const { requestCert: _request, rejectUnauthorized: _reject, ...context } = tls.options
    ;(this.server as TlsServer).setSecureContext(context)
  }

  /**
   * Stops accepting connections and cuts TLS handshakes still under way; resolves once the
   * server is closed (sockets handed to connections are the caller's).
   */
  async close (): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    if (this.handshaking !== null) for (const socket of this.handshaking.values()) socket.destroy()
    await closed
  }
}

const peerKey = (socket: Socket): string => `${socket.remoteAddress ?? '?'}|${socket.remotePort ?? '?'}`

function tlsServer (tls: ListenerTls, onSocket: (socket: Socket) => void, logger: Logger, handshaking: Map<string, Socket>): Server {
  const server = createTlsServer({ ...tls.options, noDelay: true }, (socket: TLSSocket) => {
    handshaking.delete(peerKey(socket))
    // ssl.client.auth=requested: no certificate is fine, an untrusted one is not.
    if (!socket.authorized && tls.clientAuth === 'requested' && socket.getPeerCertificate()?.raw !== undefined) {
      logger.info({ client: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, reason: String(socket.authorizationError) }, 'TLS client certificate refused')
      socket.destroy()
      return
    }
    onSocket(socket)
  })
  server.on('connection', (raw: Socket) => {
    const key = peerKey(raw)
    handshaking.set(key, raw)
    raw.once('close', () => { if (handshaking.get(key) === raw) handshaking.delete(key) })
  })
  server.on('tlsClientError', (err, socket) => {
    logger.info({ client: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, reason: err.message }, 'TLS handshake failed')
  })
  return server
}

// A TCP proxy that records every request frame a client sends, for golden-byte fixtures.
// Without a target it answers nothing (clients then only ever send their first request);
// with one it forwards bytes both ways unchanged. A broker behind it must advertise the proxy
// (advertised.listeners) so clients keep talking through it after Metadata.
// With version caps, ApiVersions answers are narrowed (max = min(broker max, cap)) so a client
// sends chosen versions, e.g. the versions another client was captured at.
// Request frame layout read here: int32 size, int16 api key, int16 api version, int32
// correlation id, then the rest of the header and the body (left undecoded).
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { apiVersionsApi, decodeResponseFrame, encodeResponseFrame } from '@brook/protocol'

export interface CapturedRequest {
  /** Which client connection (in accept order) sent it. */
  connection: number
  apiKey: number
  apiVersion: number
  correlationId: number
  /** The whole frame, size prefix included. */
  frame: Buffer
}

export interface CaptureProxy {
  host: string
  port: number
  bootstrap: string
  requests: CapturedRequest[]
  /** Forward new connections to this broker; until set, connections are held unanswered. */
  setTarget: (host: string, port: number) => void
  /** Highest version per api key that new ApiVersions answers offer (empty: answers unchanged). */
  setVersionCaps: (caps: ReadonlyMap<number, number>) => void
  close: () => Promise<void>
}

export async function startCaptureProxy (): Promise<CaptureProxy> {
  const requests: CapturedRequest[] = []
  const sockets = new Set<Socket>()
  let target: { host: string, port: number } | undefined
  let accepted = 0
  let caps: ReadonlyMap<number, number> = new Map()

  const server: Server = createServer((client) => {
    const connection = accepted++
    sockets.add(client)
    client.once('close', () => sockets.delete(client))
    let pending: Buffer = Buffer.alloc(0)
    const apiVersionsAsked = new Map<number, number>()
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0)
        if (size < 8 || pending.length < 4 + size) break
        const frame = Buffer.from(pending.subarray(0, 4 + size))
        const request = { connection, apiKey: frame.readInt16BE(4), apiVersion: frame.readInt16BE(6), correlationId: frame.readInt32BE(8), frame }
        requests.push(request)
        if (request.apiKey === apiVersionsApi.key) apiVersionsAsked.set(request.correlationId, request.apiVersion)
        pending = pending.subarray(4 + size)
      }
    })
    // Clients reset connections they give up on; that ends the capture of this one.
    client.on('error', () => client.destroy())
    if (target === undefined) return
    const upstream = connect(target)
    sockets.add(upstream)
    upstream.once('close', () => {
      sockets.delete(upstream)
      client.destroy()
    })
    upstream.on('error', () => upstream.destroy())
    client.once('close', () => upstream.destroy())
    client.pipe(upstream)
    if (caps.size === 0) {
      upstream.pipe(client)
      return
    }
    const capsNow = caps
    let answers: Buffer = Buffer.alloc(0)
    upstream.on('data', (chunk: Buffer) => {
      answers = Buffer.concat([answers, chunk])
      while (answers.length >= 4) {
        const size = answers.readInt32BE(0)
        if (answers.length < 4 + size) break
        const frame = answers.subarray(0, 4 + size)
        answers = answers.subarray(4 + size)
        const version = apiVersionsAsked.get(frame.readInt32BE(4))
        client.write(version === undefined ? frame : narrowApiVersions(frame, version, capsNow))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    host: '127.0.0.1',
    port,
    bootstrap: `127.0.0.1:${port}`,
    requests,
    setTarget: (host, targetPort) => { target = { host, port: targetPort } },
    setVersionCaps: (next) => { caps = next },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function narrowApiVersions (frame: Buffer, version: number, caps: ReadonlyMap<number, number>): Buffer {
  // A request above the broker's ApiVersions range is answered with a v0 body and an error
  // code (not decodable at the asked version); the client retries lower, and that answer is narrowed.
  if (frame.length >= 10 && frame.readInt16BE(8) !== 0) return frame
  const { correlationId, body } = decodeResponseFrame(frame.subarray(4), apiVersionsApi, version)
  const apiKeys = body.apiKeys.map((k) => ({ ...k, maxVersion: Math.min(k.maxVersion, caps.get(k.apiKey) ?? k.maxVersion) }))
  return Buffer.concat(encodeResponseFrame(correlationId, apiVersionsApi, version, { ...body, apiKeys }))
}

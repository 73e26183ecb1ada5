// The client side of SASL, for this broker logging in on another (inter-broker connections):
// SaslHandshake v1 then SaslAuthenticate v2 frames, PLAIN in one step, SCRAM through the Brook
// client's SCRAM conversation (which also checks that the peer knows the password). Errors never
// carry the password.
import { ScramClient } from '@brook/client'
import { type ApiSchema, saslAuthenticateApi, saslHandshakeApi } from '@brook/protocol'
import type { PeerCredentials } from '../inter-broker.js'

export type PeerSend = <Req, Res>(api: ApiSchema<Req, Res>, version: number, body: Req) => Promise<Res>

export async function peerLogin (send: PeerSend, credentials: PeerCredentials): Promise<void> {
  const { mechanism, username, password } = credentials
  const handshake = await send(saslHandshakeApi, 1, { mechanism })
  if (handshake.errorCode !== 0) {
    throw new Error(`SASL handshake for ${mechanism} refused (error ${handshake.errorCode}); the peer enables ${handshake.mechanisms.join(', ')}`)
  }
  const step = async (token: Buffer): Promise<Buffer> => {
    const response = await send(saslAuthenticateApi, 2, { authBytes: token })
    if (response.errorCode !== 0) {
      throw new Error(`SASL/${mechanism} login as ${username} refused (error ${response.errorCode}): ${response.errorMessage ?? ''}`)
    }
    return response.authBytes
  }
  if (mechanism === 'PLAIN') {
    await step(Buffer.from(`\u0000${username}\u0000${password}`, 'utf8'))
    return
  }
  const scram = new ScramClient(mechanism, username, password)
  for (let token = scram.next(null); token !== null; token = scram.next(await step(token)));
}

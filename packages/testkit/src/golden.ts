// Golden-byte checks: a captured request frame (size prefix included) is decoded with
// @brook/protocol's header and generic codec, then encoded again; equal bytes mean the schema
// data describes exactly what the client sent.
import { Reader, apiByKey, decodeRequest, decodeRequestHeader, encodeRequestFrame } from '@brook/protocol'

export function roundTripRequestFrame (frame: Buffer): Buffer {
  const size = frame.readInt32BE(0)
  if (size !== frame.length - 4) throw new Error(`size prefix ${size} but ${frame.length - 4} bytes follow`)
  const reader = new Reader(frame, 4)
  const header = decodeRequestHeader(reader)
  const api = apiByKey(header.apiKey)
  if (api === undefined) throw new Error(`no schema for api key ${header.apiKey}`)
  const body = decodeRequest(api, header.apiVersion, reader)
  if (reader.remaining !== 0) throw new Error(`${reader.remaining} bytes left after the ${api.name} v${header.apiVersion} body`)
  return Buffer.concat(encodeRequestFrame(header.correlationId, header.clientId, api, header.apiVersion, body))
}

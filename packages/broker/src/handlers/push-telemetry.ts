// PushTelemetry (72): v0.
// Behaviour: KIP-714 client metrics (telemetry/client-telemetry.ts), checked in Kafka's order:
// a zero or reserved client instance id is INVALID_REQUEST, a push after a terminating one is
// INVALID_REQUEST, a subscription id other than the one handed out is UNKNOWN_SUBSCRIPTION_ID,
// a push sooner than the push interval (except the first after a subscription request, or a
// terminating one) is THROTTLING_QUOTA_EXCEEDED, an unknown compression is
// UNSUPPORTED_COMPRESSION_TYPE, metrics over telemetry.max.bytes are TELEMETRY_TOO_LARGE and
// metrics that do not decompress are INVALID_RECORD. Accepted metrics are kept, decompressed, as
// the client instance's latest.
import { pushTelemetryApi, type PushTelemetryRequest, type PushTelemetryResponse } from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { clientIdentity } from '../telemetry/client-identity.js'

async function handle (ctx: RequestContext, request: PushTelemetryRequest): Promise<PushTelemetryResponse> {
  const errorCode = await ctx.broker.telemetry.push(request, clientIdentity(ctx))
  return { errorCode }
}

export default defineHandler(pushTelemetryApi, { min: 0, max: 0 }, handle, (_request, code) => ({ errorCode: code }))

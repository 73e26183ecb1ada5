// GetTelemetrySubscriptions (71): v0.
// Behaviour: KIP-714 client metrics (telemetry/client-telemetry.ts): a zero client instance id
// gets a new one; the answer is the instance's subscription: what the client metrics
// subscriptions it matches ask for (telemetry/subscriptions.ts), or the empty one (no requested
// metrics, push interval 5 minutes) when none matches. Asking again within
// the push interval is THROTTLING_QUOTA_EXCEEDED, as Kafka. An error answer carries only the
// error code, as Kafka's.
import {
  ErrorCode, getTelemetrySubscriptionsApi, type GetTelemetrySubscriptionsRequest, type GetTelemetrySubscriptionsResponse, ZERO_UUID
} from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { clientIdentity } from '../telemetry/client-identity.js'

function failed (errorCode: number): GetTelemetrySubscriptionsResponse {
  return {
    errorCode,
    clientInstanceId: ZERO_UUID,
    subscriptionId: 0,
    acceptedCompressionTypes: [],
    pushIntervalMs: 0,
    telemetryMaxBytes: 0,
    deltaTemporality: false,
    requestedMetrics: []
  }
}

function handle (ctx: RequestContext, request: GetTelemetrySubscriptionsRequest): GetTelemetrySubscriptionsResponse {
  const answer = ctx.broker.telemetry.subscribe(request.clientInstanceId, clientIdentity(ctx))
  if (answer.errorCode !== ErrorCode.NONE) return failed(answer.errorCode)
  return { ...answer }
}

export default defineHandler(getTelemetrySubscriptionsApi, { min: 0, max: 0 }, handle, (_request, code) => failed(code))

// ApiVersions (18): v0-3.
// Behaviour: the advertised list is computed from the handler registry, so it cannot drift from
// what is served. An ApiVersions request at a version Brook does not serve is answered by
// server/connection.ts with a v0 response carrying UNSUPPORTED_VERSION and this same list.
// Versions: v1 throttle; v3 flexible body, client software name/version, but the response
// header stays v0; v3 also carries the supported and finalized feature levels
// (cluster/features.ts says which and why). v4 (KIP-1117) is not served yet.
import { apiVersionsApi, type ApiVersionsResponse, type ApiVersionsResponseApiVersion, ErrorCode } from '@brook/protocol'
import { FINALIZED_FEATURES, FINALIZED_FEATURES_EPOCH, SUPPORTED_FEATURES } from '../cluster/features.js'
import { defineHandler, type Handler } from './handler.js'

function advertisedVersions (handlers: readonly Handler[]): ApiVersionsResponseApiVersion[] {
  return handlers.map((h) => ({ apiKey: h.api.key, minVersion: h.versions.advertisedMin ?? h.versions.min, maxVersion: h.versions.max }))
}

export function unsupportedVersionResponse (handlers: readonly Handler[]): ApiVersionsResponse {
  return { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: advertisedVersions(handlers) }
}

export default defineHandler(apiVersionsApi, { min: 0, max: 3 },
  (ctx, request) => {
    // Kept for KIP-714's client_software_name / client_software_version selectors.
    if (ctx.clientSoftware !== undefined && request.clientSoftwareName !== undefined) {
      ctx.clientSoftware.name = request.clientSoftwareName
      ctx.clientSoftware.version = request.clientSoftwareVersion ?? null
    }
    return {
      errorCode: ErrorCode.NONE,
      apiKeys: advertisedVersions(ctx.broker.handlers),
      supportedFeatures: SUPPORTED_FEATURES.map((f) => ({ ...f })),
      finalizedFeaturesEpoch: FINALIZED_FEATURES_EPOCH,
      finalizedFeatures: FINALIZED_FEATURES.map((f) => ({ ...f })),
      zkMigrationReady: false
    }
  },
  (_req, code, ctx) => ({ errorCode: code, apiKeys: advertisedVersions(ctx.broker.handlers) }))

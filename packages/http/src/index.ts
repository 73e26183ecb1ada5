// @brook/http: Brook's HTTP API. startHttpServer() serves, next to a broker, a REST API in the
// shapes of Confluent's REST Proxy (v2 produce and consumer instances, v3 admin), /healthz,
// /readyz and Prometheus /metrics. REST calls reach Kafka through Brook's client.
export { startHttpServer, type HttpServer, type HttpTls, type StartHttpServerOptions } from './server.js'
export { parseHttpListeners, type HttpEndpoint } from './listeners.js'
export { httpSettingsFrom, HTTP_SETTING_NAMES, type HttpSettings } from './settings.js'
export type { MetricsView } from './metrics.js'
export type { HttpAuthentication } from './auth/authenticate.js'

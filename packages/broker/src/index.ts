// @brook/broker: a Kafka-compatible broker. startBroker() runs one in this process (the `brook`
// CLI and test suites use it); the rest is exported for tooling and tests.
export { startBroker, LIBRARY_DEFAULT_LISTENERS, type RunningBroker, type StartBrokerOptions } from './broker.js'
export { BrokerConfig } from './config/broker-config.js'
export { ConfigError } from './config/schema.js'
export { createLogger, isLogLevel, type LogFormat, type LogLevel } from './logger.js'
export { BrokerMetrics, processMetricsRegistry } from './metrics/broker-metrics.js'
export type { MetricsSource } from './metrics/state-gauges.js'
export { HANDLERS } from './handlers/index.js'
export { computeLag, type GroupLag, type PartitionLag, type MemberLag, type LagMember, type TopicPartitionOffset } from './group/lag.js'
export type { ClientTelemetry, ClientInstance, PushedMetrics, Subscription } from './telemetry/client-telemetry.js'
export type { ScheduleStats, TopicScheduleStats } from './delivery/scheduler.js'
export type { ExchangeRoutingStats } from './exchange/router.js'
export type { CheckBackStatus } from './txn/check-back.js'

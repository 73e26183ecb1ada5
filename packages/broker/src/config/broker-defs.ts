// Broker configuration names Brook accepts, with Kafka's types and printed defaults (Kafka 3.9/4.0).
// Names Brook does not act on yet (threads, replication tuning, KRaft controller settings) are
// still listed, so that real deployments' and test setups' files load without warnings and
// DescribeConfigs on the broker shows what Kafka would.
import { atLeast, between, type ConfigDef, INT_MAX, listOf, LONG_MAX, oneOf } from './schema.js'

export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']
export const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime']
export const CLEANUP_POLICIES = ['delete', 'compact']

const b = (name: string, def: string | null): ConfigDef => ({ name, type: 'boolean', default: def })
const s = (name: string, def: string | null, validate?: ConfigDef['validate']): ConfigDef =>
  validate === undefined ? { name, type: 'string', default: def } : { name, type: 'string', default: def, validate }
const i = (name: string, def: string | null, validate?: ConfigDef['validate']): ConfigDef =>
  validate === undefined ? { name, type: 'int', default: def } : { name, type: 'int', default: def, validate }
const sh = (name: string, def: string | null, validate?: ConfigDef['validate']): ConfigDef =>
  validate === undefined ? { name, type: 'short', default: def } : { name, type: 'short', default: def, validate }
const l = (name: string, def: string | null, validate?: ConfigDef['validate']): ConfigDef =>
  validate === undefined ? { name, type: 'long', default: def } : { name, type: 'long', default: def, validate }
const d = (name: string, def: string | null, validate?: ConfigDef['validate']): ConfigDef =>
  validate === undefined ? { name, type: 'double', default: def } : { name, type: 'double', default: def, validate }
const li = (name: string, def: string | null, validate?: ConfigDef['validate']): ConfigDef =>
  validate === undefined ? { name, type: 'list', default: def } : { name, type: 'list', default: def, validate }

export const BROKER_CONFIG_DEFS: readonly ConfigDef[] = [
  // Identity and listeners
  i('node.id', '-1'),
  i('broker.id', '-1'),
  s('broker.rack', null),
  li('listeners', 'PLAINTEXT://:9092'),
  li('advertised.listeners', null),
  s('listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL'),
  s('inter.broker.listener.name', null),
  s('security.inter.broker.protocol', 'PLAINTEXT'),
  li('process.roles', ''),
  li('controller.quorum.voters', ''),
  li('controller.quorum.bootstrap.servers', ''),
  s('controller.listener.names', null),
  s('metadata.log.dir', null),
  s('zookeeper.connect', null),
  i('reserved.broker.max.id', '1000', atLeast(0)),
  b('broker.id.generation.enable', 'true'),
  b('unstable.api.versions.enable', 'false'),
  // Sockets and request limits
  i('socket.request.max.bytes', '104857600', atLeast(1)),
  i('socket.send.buffer.bytes', '102400'),
  i('socket.receive.buffer.bytes', '102400'),
  i('socket.listen.backlog.size', '50', atLeast(1)),
  l('connections.max.idle.ms', '600000'),
  i('max.connections', INT_MAX, atLeast(0)),
  i('max.connections.per.ip', INT_MAX, atLeast(0)),
  i('queued.max.requests', '500', atLeast(1)),
  i('num.network.threads', '3', atLeast(1)),
  i('num.io.threads', '8', atLeast(1)),
  i('background.threads', '10', atLeast(1)),
  i('message.max.bytes', '1048588', atLeast(0)),
  i('fetch.max.bytes', '57671680', atLeast(1024)),
  i('max.incremental.fetch.session.cache.slots', '1000', atLeast(0)),
  i('max.request.partition.size.limit', '2000', atLeast(1)),
  i('telemetry.max.bytes', '1048576', atLeast(1)),
  // Topics
  i('num.partitions', '1', atLeast(1)),
  i('default.replication.factor', '1'),
  b('auto.create.topics.enable', 'true'),
  b('delete.topic.enable', 'true'),
  i('min.insync.replicas', '1', atLeast(1)),
  b('unclean.leader.election.enable', 'false'),
  b('auto.leader.rebalance.enable', 'true'),
  l('leader.imbalance.check.interval.seconds', '300', atLeast(1)),
  i('leader.imbalance.per.broker.percentage', '10'),
  s('compression.type', 'producer', oneOf(...COMPRESSION_TYPES)),
  i('compression.gzip.level', '-1'),
  i('compression.lz4.level', '9', between(1, 17)),
  i('compression.zstd.level', '3', between(-131072, 22)),
  // Logs
  s('log.dir', '/tmp/kafka-logs'),
  li('log.dirs', null),
  i('log.segment.bytes', '1073741824', atLeast(14)),
  l('log.roll.ms', null),
  i('log.roll.hours', '168', atLeast(1)),
  l('log.roll.jitter.ms', null),
  i('log.roll.jitter.hours', '0', atLeast(0)),
  l('log.retention.ms', null),
  i('log.retention.minutes', null),
  i('log.retention.hours', '168'),
  l('log.retention.bytes', '-1'),
  l('log.retention.check.interval.ms', '300000', atLeast(1)),
  l('log.flush.interval.messages', LONG_MAX, atLeast(1)),
  l('log.flush.interval.ms', null),
  l('log.flush.scheduler.interval.ms', LONG_MAX),
  i('log.flush.offset.checkpoint.interval.ms', '60000', atLeast(0)),
  i('log.flush.start.offset.checkpoint.interval.ms', '60000', atLeast(0)),
  i('log.index.size.max.bytes', '10485760', atLeast(4)),
  i('log.index.interval.bytes', '4096', atLeast(0)),
  b('log.preallocate', 'false'),
  l('log.segment.delete.delay.ms', '60000', atLeast(0)),
  li('log.cleanup.policy', 'delete', listOf(...CLEANUP_POLICIES)),
  s('log.message.timestamp.type', 'CreateTime', oneOf(...TIMESTAMP_TYPES)),
  l('log.message.timestamp.before.max.ms', LONG_MAX, atLeast(0)),
  l('log.message.timestamp.after.max.ms', LONG_MAX, atLeast(0)),
  l('log.message.timestamp.difference.max.ms', LONG_MAX, atLeast(0)),
  s('log.message.format.version', '3.0-IV1'),
  b('log.message.downconversion.enable', 'true'),
  l('log.local.retention.ms', '-2'),
  l('log.local.retention.bytes', '-2'),
  l('log.initial.task.delay.ms', '30000', atLeast(0)),
  i('num.recovery.threads.per.data.dir', '1', atLeast(1)),
  // Log cleaner (compaction)
  b('log.cleaner.enable', 'true'),
  i('log.cleaner.threads', '1', atLeast(0)),
  l('log.cleaner.dedupe.buffer.size', '134217728'),
  i('log.cleaner.io.buffer.size', '524288', atLeast(0)),
  d('log.cleaner.io.buffer.load.factor', '0.9'),
  d('log.cleaner.io.max.bytes.per.second', '1.7976931348623157E308'),
  l('log.cleaner.backoff.ms', '15000', atLeast(0)),
  d('log.cleaner.min.cleanable.ratio', '0.5', between(0, 1)),
  l('log.cleaner.delete.retention.ms', '86400000', atLeast(0)),
  l('log.cleaner.min.compaction.lag.ms', '0', atLeast(0)),
  l('log.cleaner.max.compaction.lag.ms', LONG_MAX, atLeast(1)),
  // Replication (single broker: accepted, not used yet)
  i('num.replica.fetchers', '1'),
  l('replica.lag.time.max.ms', '30000'),
  i('replica.fetch.max.bytes', '1048576', atLeast(0)),
  i('replica.fetch.wait.max.ms', '500'),
  i('replica.fetch.min.bytes', '1'),
  i('replica.fetch.response.max.bytes', '10485760', atLeast(0)),
  i('replica.fetch.backoff.ms', '1000', atLeast(0)),
  i('replica.socket.timeout.ms', '30000'),
  i('replica.socket.receive.buffer.bytes', '65536'),
  l('replica.high.watermark.checkpoint.interval.ms', '5000'),
  i('fetch.purgatory.purge.interval.requests', '1000'),
  i('producer.purgatory.purge.interval.requests', '1000'),
  i('delete.records.purgatory.purge.interval.requests', '1'),
  b('controlled.shutdown.enable', 'true'),
  // Groups (the group coordinator reads these)
  i('group.initial.rebalance.delay.ms', '3000'),
  i('group.min.session.timeout.ms', '6000'),
  i('group.max.session.timeout.ms', '1800000'),
  i('group.max.size', INT_MAX, atLeast(1)),
  li('group.coordinator.rebalance.protocols', 'classic,consumer', listOf('classic', 'consumer', 'share', 'streams')),
  i('group.consumer.session.timeout.ms', '45000', atLeast(1)),
  i('group.consumer.heartbeat.interval.ms', '5000', atLeast(1)),
  i('group.consumer.min.session.timeout.ms', '45000', atLeast(1)),
  i('group.consumer.max.session.timeout.ms', '60000', atLeast(1)),
  i('group.consumer.min.heartbeat.interval.ms', '5000', atLeast(1)),
  i('group.consumer.max.heartbeat.interval.ms', '15000', atLeast(1)),
  i('group.consumer.max.size', INT_MAX, atLeast(1)),
  li('group.consumer.assignors', 'uniform,range'),
  sh('offsets.topic.replication.factor', '3', atLeast(1)),
  i('offsets.topic.num.partitions', '50', atLeast(1)),
  i('offsets.topic.segment.bytes', '104857600', atLeast(1)),
  i('offsets.topic.compression.codec', '0'),
  i('offsets.retention.minutes', '10080', atLeast(1)),
  l('offsets.retention.check.interval.ms', '600000', atLeast(1)),
  i('offsets.commit.timeout.ms', '5000', atLeast(1)),
  i('offsets.load.buffer.size', '5242880', atLeast(1)),
  i('offset.metadata.max.bytes', '4096'),
  // Transactions and producer ids (the transaction coordinator reads these)
  sh('transaction.state.log.replication.factor', '3', atLeast(1)),
  i('transaction.state.log.min.isr', '2', atLeast(1)),
  i('transaction.state.log.num.partitions', '50', atLeast(1)),
  i('transaction.state.log.segment.bytes', '104857600', atLeast(1)),
  i('transaction.state.log.load.buffer.size', '5242880', atLeast(1)),
  i('transaction.max.timeout.ms', '900000', atLeast(1)),
  i('transactional.id.expiration.ms', '604800000', atLeast(1)),
  i('transaction.abort.timed.out.transaction.cleanup.interval.ms', '10000', atLeast(1)),
  i('transaction.remove.expired.transaction.cleanup.interval.ms', '3600000', atLeast(1)),
  b('transaction.partition.verification.enable', 'true'),
  i('producer.id.expiration.ms', '86400000', atLeast(1)),
  i('producer.id.expiration.check.interval.ms', '600000', atLeast(1)),
  sh('share.coordinator.state.topic.replication.factor', '3', atLeast(1)),
  i('share.coordinator.state.topic.min.isr', '2', atLeast(1)),
  // Security and plug-ins (only PLAINTEXT without authorization is served)
  s('authorizer.class.name', ''),
  li('sasl.enabled.mechanisms', 'GSSAPI'),
  s('sasl.mechanism.inter.broker.protocol', 'GSSAPI'),
  li('metric.reporters', '')
]

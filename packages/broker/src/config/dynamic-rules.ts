// Which broker configs AlterConfigs / IncrementalAlterConfigs may change while the broker runs,
// and at which level, by Kafka's DynamicBrokerConfig rules (Kafka 4.0):
// - dynamic: the broker-level defaults of topic configs (each topic config's primary broker name,
//   log.retention.ms but not log.retention.hours), the log cleaner's settings, thread counts,
//   connection limits and quotas, listener / SSL / SASL settings, producer-state and tiered-storage
//   settings, metric.reporters; every other known config is refused ("Cannot update these configs
//   dynamically");
// - the keystore / truststore settings only per listener (listener.name.<l>.ssl.keystore.location);
// - listener and security settings are per broker: refused on the cluster-default resource,
//   except max.connections, max.connection.creation.rate and num.network.threads;
// - thread counts (and log.cleaner.threads) may at most halve or double the running value.
// Brook refuses names it does not know (Kafka stores unknown custom names too).
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import { BROKER_DEFS, type BrokerConfig } from './broker-config.js'
import { type ConfigDef, parseConfigValue } from './schema.js'
import { LISTENER_MECHANISM_CONFIGS, LISTENER_PREFIX } from './synonyms.js'
import { TOPIC_CONFIG_DEFS } from './topic-defs.js'

/** Keystore and truststore settings: dynamic only with a listener prefix. */
const SECURITY_CONFIGS = [
  'ssl.keystore.type', 'ssl.keystore.location', 'ssl.keystore.password', 'ssl.key.password', 'ssl.truststore.type',
  'ssl.truststore.location', 'ssl.truststore.password', 'ssl.keystore.certificate.chain', 'ssl.keystore.key', 'ssl.truststore.certificates'
]

const LISTENER_CONFIGS = [
  'listeners', 'listener.security.protocol.map',
  'principal.builder.class', 'ssl.protocol', 'ssl.provider', 'ssl.cipher.suites', 'ssl.enabled.protocols', ...SECURITY_CONFIGS,
  'ssl.keymanager.algorithm', 'ssl.trustmanager.algorithm', 'ssl.endpoint.identification.algorithm', 'ssl.secure.random.implementation',
  'ssl.client.auth', 'ssl.engine.factory.class',
  'sasl.mechanism.inter.broker.protocol', 'sasl.jaas.config', 'sasl.enabled.mechanisms', 'sasl.kerberos.service.name',
  'sasl.kerberos.kinit.cmd', 'sasl.kerberos.ticket.renew.window.factor', 'sasl.kerberos.ticket.renew.jitter',
  'sasl.kerberos.min.time.before.relogin', 'sasl.kerberos.principal.to.local.rules', 'sasl.login.refresh.window.factor',
  'sasl.login.refresh.window.jitter', 'sasl.login.refresh.min.period.seconds', 'sasl.login.refresh.buffer.seconds',
  'max.connections', 'max.connection.creation.rate', 'num.network.threads'
]

/** Listener settings that may also be set cluster-wide. */
const CLUSTER_LEVEL_LISTENER_CONFIGS = new Set(['max.connections', 'max.connection.creation.rate', 'num.network.threads'])

const PER_BROKER_CONFIGS = new Set(LISTENER_CONFIGS.filter((n) => !CLUSTER_LEVEL_LISTENER_CONFIGS.has(n)))

const LOG_CLEANER_CONFIGS = [
  'log.cleaner.threads', 'log.cleaner.dedupe.buffer.size', 'log.cleaner.io.buffer.load.factor', 'log.cleaner.io.buffer.size',
  'message.max.bytes', 'log.cleaner.io.max.bytes.per.second', 'log.cleaner.backoff.ms'
]

/** The primary broker name of each topic config (message.format.version is gone in Kafka 4). */
const LOG_CONFIGS = TOPIC_CONFIG_DEFS.flatMap((d) => d.synonyms.slice(0, 1).map((s) => s.name)).filter((n) => n !== 'log.message.format.version')

const OTHER_DYNAMIC_CONFIGS = [
  'num.io.threads', 'num.replica.fetchers', 'num.recovery.threads.per.data.dir', 'background.threads',
  'metric.reporters',
  'max.connections.per.ip', 'max.connections.per.ip.overrides',
  'producer.id.expiration.ms', 'transaction.partition.verification.enable',
  // Brook's transactional check-back
  'transaction.checkback.endpoints', 'transaction.checkback.max.attempts', 'transaction.checkback.retry.backoff.ms',
  'transaction.checkback.request.timeout.ms',
  'remote.log.index.file.cache.total.size.bytes', 'remote.fetch.max.wait.ms', 'remote.log.manager.copy.max.bytes.per.second',
  'remote.log.manager.fetch.max.bytes.per.second', 'remote.list.offsets.request.timeout.ms', 'remote.log.manager.copier.thread.pool.size',
  'remote.log.manager.expiration.thread.pool.size', 'remote.log.manager.follower.thread.pool.size', 'remote.log.reader.threads',
  'leader.replication.throttled.rate', 'follower.replication.throttled.rate', 'replica.alter.log.dirs.io.max.bytes.per.second'
]

/** Broker configs that can be altered while the broker runs (without a listener prefix). */
export const DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = new Set([
  ...SECURITY_CONFIGS, ...LOG_CLEANER_CONFIGS, ...LOG_CONFIGS, ...LISTENER_CONFIGS, ...OTHER_DYNAMIC_CONFIGS
])

/** The definition a `listener.name.<l>.<config>` name takes its type from (undefined: not one). */
export function baseDefOf (name: string): ConfigDef | undefined {
  const match = LISTENER_PREFIX.exec(name)
  if (match === null) return undefined
  const base = match[1] as string
  const mechanism = LISTENER_MECHANISM_CONFIGS.find((m) => base.endsWith(`.${m}`))
  return BROKER_DEFS.get(mechanism ?? base)
}

export function isDynamicBrokerConfig (name: string): boolean {
  return DYNAMIC_BROKER_CONFIGS.has(name) || (!BROKER_DEFS.has(name) && baseDefOf(name) !== undefined)
}

/** The definition `name` is altered with; undefined when it cannot be altered dynamically. */
export function dynamicDefOf (name: string): ConfigDef | undefined {
  if (DYNAMIC_BROKER_CONFIGS.has(name)) return BROKER_DEFS.get(name)
  return BROKER_DEFS.has(name) ? undefined : baseDefOf(name)
}

function refuse (message: string, names: readonly string[]): KafkaError {
  return new KafkaError(ErrorCode.INVALID_REQUEST, `${message}: Set(${names.join(', ')})`)
}

export function notDynamic (names: readonly string[]): KafkaError {
  return refuse('Cannot update these configs dynamically', names)
}

/**
 * Thread pools Kafka resizes in place: a change may at most halve or double the running count.
 * Checked on a change only; a persisted layer loads as it is, as in Kafka.
 */
const THREAD_COUNTS = ['num.io.threads', 'num.replica.fetchers', 'num.recovery.threads.per.data.dir', 'background.threads']

export function checkThreadCounts (layer: Readonly<Record<string, string>>, current: BrokerConfig): void {
  for (const name of THREAD_COUNTS) {
    const raw = layer[name]
    if (raw === undefined) continue
    const next = Number(raw)
    const now = current.int(name)
    if (next === now) continue
    const failed = `Dynamic thread count update validation failed for ${name}=${raw}`
    if (next < Math.floor(now / 2)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `${failed}, value should be at least half the current value ${now}`)
    if (next > now * 2) throw new KafkaError(ErrorCode.INVALID_REQUEST, `${failed}, value should not be greater than double the current value ${now}`)
  }
  const cleaners = layer['log.cleaner.threads']
  if (cleaners !== undefined) {
    const next = Number(cleaners)
    const now = current.int('log.cleaner.threads')
    if (next < 1) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Log cleaner threads should be at least 1')
    if (next < Math.floor(now / 2)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Log cleaner threads cannot be reduced to less than half the current value ${now}`)
    if (next > now * 2) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Log cleaner threads cannot be increased to more than double the current value ${now}`)
  }
}

function isPerBroker (name: string): boolean {
  if (PER_BROKER_CONFIGS.has(name)) return true
  const match = LISTENER_PREFIX.exec(name)
  return match !== null && !CLUSTER_LEVEL_LISTENER_CONFIGS.has(match[1] as string)
}

/**
 * Checks a whole dynamic layer as Kafka's validateConfigs does: names first (INVALID_REQUEST),
 * then values (INVALID_CONFIG), then what only a broker's own layer may hold. `current` is the
 * running configuration, for the listener check.
 */
export function validateDynamicLayer (layer: Readonly<Record<string, string>>, perBroker: boolean, current: BrokerConfig): void {
  const names = Object.keys(layer)
  const refused = names.filter((n) => dynamicDefOf(n) === undefined)
  if (refused.length > 0) throw notDynamic(refused)
  const unprefixed = names.filter((n) => SECURITY_CONFIGS.includes(n))
  if (unprefixed.length > 0) throw refuse('These security configs can be dynamically updated only per-listener using the listener prefix', unprefixed)
  for (const name of names) parseConfigValue(dynamicDefOf(name) as ConfigDef, layer[name] as string)
  if (!perBroker) {
    const perBrokerOnly = names.filter(isPerBroker)
    if (perBrokerOnly.length > 0) throw refuse('Cannot update these configs at default cluster level, broker id must be specified', perBrokerOnly)
  }
  // Clients are told the listeners' addresses; with no advertised.listeners, new listeners would
  // change them, which Kafka refuses on a KRaft cluster.
  const listeners = layer.listeners
  if (listeners !== undefined && current.list('advertised.listeners') === null && listeners !== current.raw('listeners')) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Advertised listeners cannot be altered when using a Raft-based metadata quorum.')
  }
}

// Wires one broker together: config -> log dirs (meta.properties, topic table, producer ids) ->
// storage -> partitions -> listener. close() undoes it in reverse: stop accepting, answer
// in-flight requests (long polls return at once), flush and close the logs.
import { readFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { Socket } from 'node:net'
import { BufferPool, type Logger } from '@brook/common'
import { type FileSystem, LogManager, NodeFileSystem } from '@brook/storage'
import { BrokerConfig } from './config/broker-config.js'
import { type Endpoint, formatHostPort } from './config/listeners.js'
import { loadMetaProperties } from './cluster/meta-properties.js'
import { DynamicConfigStore } from './cluster/dynamic-config-store.js'
import { TopicStore } from './cluster/topic-store.js'
import { DynamicConfigs } from './config/dynamic-configs.js'
import { toLogConfig, topicSettings } from './config/topic-config.js'
import { DeliveryScheduler, type ScheduleStats } from './delivery/scheduler.js'
import { registerScheduleGauges } from './delivery/schedule-metrics.js'
import type { ExchangeRoutingStats } from './exchange/router.js'
import { startExchangeRouter } from './exchange/start.js'
import type { CheckBackStatus } from './txn/check-back.js'
import { startGroupCoordinatorIn } from './group/start.js'
import { startTransactionCoordinatorIn } from './txn/start.js'
import type { CoordinatorLeadership } from './coordinator/leadership.js'
import { startShareService } from './share/start.js'
import { HANDLERS, handlerTable } from './handlers/index.js'
import { parseProperties } from './config/properties.js'
import { ConfigError } from './config/schema.js'
import { createLogger, isLogLevel, type LogFormat, type LogLevel } from './logger.js'
import { ReplicaManager } from './partition/replica-manager.js'
import { FetchSessionCache } from './fetch-session/fetch-session-cache.js'
import { LogDirs } from './log-dirs/log-dirs.js'
import { ClientTelemetry } from './telemetry/client-telemetry.js'
import { ClientMetricsSubscriptions } from './telemetry/subscriptions.js'
import { FetchPurgatory } from './purgatory/delayed-fetch.js'
import { Connection } from './server/connection.js'
import { Listener } from './server/listener.js'
import { RequestBudget } from './server/request-budget.js'
import { listenerSecurity, type ListenerSecurity } from './security/listener-security.js'
import { ScramCredentialStore } from './security/scram-store.js'
import { ClientQuotas } from './quota/client-quotas.js'
import { metadataConfigFrom, openClientQuotaStore } from '@brook/metadata'
import { ConnectionLimits, normalizeAddress } from './quota/connection-limits.js'
import { ConnectionCreationRate } from './quota/connection-rate.js'
import { openAuthorization } from './security/authorizer/open-authorization.js'
import { TlsReloader } from './security/tls-reload.js'
import { connectionSession } from './security/connection-session.js'
import type { BrokerState } from './server/request-context.js'
import { ProducerIdAllocator, type ProducerIdSource } from './txn/producer-ids.js'
import { ClusterNode, clusterMode } from './cluster/cluster-node.js'
import { decompress } from '@brook/protocol'
import { BrokerMetrics } from './metrics/broker-metrics.js'
import { interBrokerClientOptions, interBrokerListenerName, interBrokerSecurity } from './security/inter-broker.js'

export interface StartBrokerOptions {
  /** A Java properties file (server.properties) read first; `config` entries win over it. */
  configFile?: string
  /** Kafka broker config names and values, as in server.properties. */
  config?: Record<string, string>
  /** Where the broker logs. Without it, a pino logger made from `logging`. */
  logger?: Logger
  /** The logger to make when none is given: silent by default (BROOK_LOG_LEVEL=info, say, to see it). */
  logging?: { format?: LogFormat, level?: LogLevel }
  /** The partition logs' file system: node:fs by default (tests inject disk faults with another). */
  fileSystem?: FileSystem
}

export interface RunningBroker {
  /** Where clients connect (the bound address; the advertised host for a wildcard bind). */
  host: string
  port: number
  /** "host:port" for a client's bootstrap list. */
  bootstrap: string
  /** Every bound listener (the first is `host`/`port`), with what its clients are told. */
  listeners: Array<{ name: string, host: string, port: number, advertised: { host: string, port: number } }>
  config: BrokerConfig
  clusterId: string
  nodeId: number
  /** Client metrics pushed by clients (KIP-714): the latest per client instance. */
  clientMetrics: ClientTelemetry
  /** Scheduled delivery (docs/delivery.md): records pending per topic and the next due time. */
  scheduledDelivery: () => ScheduleStats
  /** Exchanges (docs/exchanges.md): routing lag and outcomes per exchange topic; empty in cluster mode. */
  exchangeRouting: () => ExchangeRoutingStats[]
  /** Transactional check-backs (docs/delivery.md), running and finished: the latest per transactional id. */
  transactionCheckBacks: () => CheckBackStatus[]
  /** Prometheus metrics: the broker's prom-client Registry (`metrics.registry`); `metrics.render()` is what /metrics serves. */
  metrics: BrokerMetrics
  /** The logger the broker writes to (the one given, or the one made from `logging`). */
  logger: Logger
  /** Stops accepting, finishes in-flight requests, flushes and closes the logs. Idempotent. */
  close: () => Promise<void>
}

/** Scheduled delivery's files, in the first log dir (delivery/schedule-log.ts). */
const SCHEDULE_DIR = 'brook-schedule'
/** The exchange router's positions, in the first log dir (exchange/route-log.ts). */

/** The listener a library caller gets when it names none: a free port on loopback. */
export const LIBRARY_DEFAULT_LISTENERS = 'PLAINTEXT://127.0.0.1:0'
/** How long shutdown waits for connections to answer what they have read before cutting them. */
const DRAIN_TIMEOUT_MS = 10_000

interface MutableState extends BrokerState {
  /** Cluster mode: set once the broker joined the cluster, before it accepts connections. */
  scheduler?: DeliveryScheduler
  stopping: boolean
  advertised: { host: string, port: number }
  /** Cluster mode: connections are refused until the broker has joined the cluster. */
  joining: boolean
}

export async function startBroker (options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const logger = options.logger ?? createLogger({ format: options.logging?.format, level: options.logging?.level ?? envLevel() })
  const settings = { listeners: LIBRARY_DEFAULT_LISTENERS, ...await readConfigFile(options.configFile), ...options.config }
  const config = new BrokerConfig(settings)
  for (const name of config.unknown) logger.warn({ config: name }, `unknown config ${name} (ignored)`)

  const logDirs = config.logDirs
  const clustered = clusterMode(settings)
  if (clustered && config.nodeId === null) throw new ConfigError('node.id', 'cluster mode (etcd.endpoints) needs node.id (or broker.id) set')
  // Unusable inter-broker TLS/SASL settings fail the start, not every later replica fetch.
  if (clustered) interBrokerSecurity(config)
  const meta = await loadMetaProperties(logDirs, config.nodeId)
  const firstDir = logDirs[0] as string
  // Cluster mode: the metadata store is reachable before anything else opens.
  const cluster = clustered ? await ClusterNode.open(settings, config, logger) : undefined
  const clusterId = cluster === undefined ? meta.clusterId : await cluster.clusterId(meta.clusterId)
  const producerIds: ProducerIdSource = cluster?.producerIds ?? await ProducerIdAllocator.open(firstDir)
  const scram = await ScramCredentialStore.openFor(settings, firstDir, logger)
  const quotaStore = await openClientQuotaStore(metadataConfigFrom(settings), { dir: firstDir, logger: logger.child({ component: 'quotas' }) })
  const quotas = new ClientQuotas(quotaStore, () => ({
    windowSeconds: config.int('quota.window.size.seconds'),
    maxThrottleMs: config.int('quota.window.size.seconds') * config.int('quota.window.num') * 1000,
    mutationBurstSeconds: config.int('controller.quota.window.num') * config.int('controller.quota.window.size.seconds')
  }))
  const authorization = await openAuthorization(settings, config, firstDir, logger)
  const purgatory = new FetchPurgatory()
  const store = new TopicStore(firstDir)
  // Dynamic broker configs are in place before any log opens; a change re-configures every log.
  let replicasForChanges: ReplicaManager | undefined
  const tlsReload = new TlsReloader(config, logger)
  const dynamicConfigs = await DynamicConfigs.open(config, meta.nodeId, new DynamicConfigStore(firstDir), logger, async () => {
    tlsReload.apply()
    await replicasForChanges?.reapplyConfigs()
  })
  dynamicConfigs.addCheck(() => { tlsReload.check() })
  // KIP-714 client metrics subscriptions, read before any client can ask for one.
  const clientMetricsSubscriptions = new ClientMetricsSubscriptions(firstDir)
  await clientMetricsSubscriptions.load()
  // Logs found on disk get their topic's config; the table is read again by the replica manager.
  const overrides = new Map((await store.load()).map((t) => [t.name, t.configs]))
  const metrics = new BrokerMetrics()
  const logs = new LogManager({
    fs: options.fileSystem ?? new NodeFileSystem(),
    observer: metrics.storageObserver,
    logDirs,
    defaults: toLogConfig({}, config),
    topicConfig: (topic) => toLogConfig(overrides.get(topic) ?? {}, config),
    logger,
    scheduler: {
      retentionCheckMs: config.int('log.retention.check.interval.ms'),
      recoveryPointCheckpointMs: config.int('log.flush.offset.checkpoint.interval.ms'),
      logStartCheckpointMs: config.int('log.flush.start.offset.checkpoint.interval.ms'),
      highWatermarkCheckpointMs: config.int('replica.high.watermark.checkpoint.interval.ms'),
      cleanerBackoffMs: config.int('log.cleaner.backoff.ms')
    }
  })
  try {
    await logs.open()
  } catch (err) {
    await cluster?.close()
    throw err
  }
  const replicas = new ReplicaManager(logs, store, config, purgatory, logger)
  replicasForChanges = replicas
  try {
    await replicas.load()
  } catch (err) {
    await logs.close()
    await cluster?.close()
    throw err
  }
  let groups
  let txn
  let scheduler: DeliveryScheduler | undefined
  let share
  // Cluster mode: the coordinators serve the partitions of their topics this broker leads.
  const leaderships: CoordinatorLeadership[] = []
  const startScheduler = async (): Promise<DeliveryScheduler> => await DeliveryScheduler.start({
    fs: new NodeFileSystem(),
    dir: join(firstDir, SCHEDULE_DIR),
    allocateProducerId: async () => await producerIds.allocate(),
    partition: (topic, index) => replicas.partition(topic, index),
    logger: logger.child({ component: 'scheduled-delivery' })
  })
  try {
    // Cluster mode: its producer id comes from the cluster's blocks, handed out once this broker
    // joined (below); starting it here would wait for the join forever.
    if (cluster === undefined) scheduler = await startScheduler()
    const inCluster = cluster === undefined ? {} : { cluster, nodeId: meta.nodeId }
    const startedGroups = await startGroupCoordinatorIn({ replicas, config, logger, ...inCluster })
    groups = startedGroups.coordinator
    const startedTxn = await startTransactionCoordinatorIn({
      replicas,
      config,
      producerIds,
      groups,
      logger,
      ...inCluster,
      beforeMarker: async (topic, partition, producerId, commit) => {
        const state = replicas.topic(topic)
        if (state === undefined || !topicSettings(state.info.configs, config).scheduling) return
        await scheduler?.completeTransaction(producerId, topic, partition, commit)
      }
    })
    txn = startedTxn.coordinator
    for (const leadership of [startedGroups.leadership, startedTxn.leadership]) if (leadership !== null) leaderships.push(leadership)
    share = await startShareService({ replicas, config, purgatory, groups, logger })
  } catch (err) {
    share?.close()
    await scheduler?.close()
    groups?.runtime.close()
    await logs.close()
    await cluster?.close()
    throw err
  }

  const connections = new Set<Connection>()
  const handlers = handlerTable(HANDLERS)
  metrics.attach({ replicas, groups, connections: () => connections.size })
  const clientMetrics = new ClientTelemetry({
    telemetryMaxBytes: config.int('telemetry.max.bytes'),
    subscriptions: clientMetricsSubscriptions,
    // Decompressed metrics are bounded too: a small push must not inflate without limit.
    decompress: async (codec, bytes) => await decompress(codec, bytes, { maxBytes: 16 * config.int('telemetry.max.bytes') })
  })
  metrics.attachClientTelemetry(clientMetrics)
  const state: MutableState = {
    config,
    clusterId,
    nodeId: meta.nodeId,
    advertised: { host: '', port: 0 },
    replicas,
    fetchPurgatory: purgatory,
    fetchSessions: new FetchSessionCache({ maxSessions: config.int('max.incremental.fetch.session.cache.slots') }),
    logDirs: new LogDirs(logs, replicas, logger),
    telemetry: clientMetrics,
    clientMetricsSubscriptions,
    dynamicConfigs,
    fetchBuffers: new BufferPool(),
    requestBuffers: new BufferPool(),
    requestBudget: new RequestBudget(config.int('queued.max.requests')),
    producerIds,
    handlers: HANDLERS,
    logger,
    stopping: false,
    joining: cluster !== undefined,
    groups,
    txn,
    scheduler,
    share,
    scram,
    quotas,
    ...(authorization === null ? {} : { acls: authorization.acls, authorizer: authorization.authorizer }),
    metrics,
    ...(cluster === undefined ? {} : { cluster })
  }
  const connectionLimits = new ConnectionLimits(config)
  const creationRate = new ConnectionCreationRate(config)
  /** Sockets not served yet: waiting for the creation rate, or throttled and about to close. */
  const held = new Set<Socket>()
  const hold = (socket: Socket, ms: number, then: () => void): void => {
    socket.pause()
    held.add(socket)
    // No Connection listens yet: a reset while held must not be an unhandled 'error'.
    const onError = (err: Error): void => { logger.debug({ err }, 'socket error before the connection was served') }
    socket.on('error', onError)
    const timer = setTimeout(() => {
      held.delete(socket)
      socket.off('error', onError)
      then()
    }, ms)
    socket.once('close', () => {
      clearTimeout(timer)
      held.delete(socket)
    })
  }
  const onSocket = (socket: Socket, view: BrokerState, security: ListenerSecurity): void => {
    if (state.stopping || state.joining) {
      socket.destroy()
      return
    }
    const wait = creationRate.admit(view.listenerName ?? '', Date.now())
    if (wait > 0) {
      hold(socket, wait, () => {
        socket.resume()
        serve(socket, view, security)
      })
    } else serve(socket, view, security)
  }
  const serve = (socket: Socket, view: BrokerState, security: ListenerSecurity): void => {
    if (state.stopping || socket.destroyed) {
      socket.destroy()
      return
    }
    const address = socket.remoteAddress
    const client = `${address ?? '?'}:${socket.remotePort ?? '?'}`
    const refused = connectionLimits.admit(address)
    if (refused !== null) {
      logger.info({ client, reason: refused }, 'connection refused: limit reached')
      socket.destroy()
      return
    }
    socket.once('close', () => connectionLimits.release(address))
    const throttledMs = quotas.connectionFrom(normalizeAddress(address), Date.now())
    if (throttledMs > 0) {
      logger.info({ client, throttledMs }, 'connection throttled: connection_creation_rate of its IP reached; closing it after the throttle time')
      hold(socket, throttledMs, () => socket.destroy())
      return
    }
    const connection = new Connection(socket, view, handlers, logger, connectionSession(socket, security, logger))
    connections.add(connection)
    metrics.connectionOpened()
    socket.once('close', () => connections.delete(connection))
  }
  // One listener per broker listener name; clients are told the address of the one they came in
  // on (a per-listener view of the state: only `advertised` differs).
  const listeners: Listener[] = []
  const views: Array<{ advertised: { host: string, port: number } }> = []
  try {
    for (const endpoint of config.brokerListeners) {
      const advertised = { host: '', port: 0 }
      const view = Object.create(state, { advertised: { value: advertised, enumerable: true }, listenerName: { value: endpoint.name, enumerable: true } }) as BrokerState
      const security = listenerSecurity(config, endpoint.name, scram)
      const listener = await Listener.listen({
        host: endpoint.host,
        port: endpoint.port,
        backlog: config.int('socket.listen.backlog.size'),
        onSocket: (socket) => onSocket(socket, view, security),
        logger,
        tls: security.tls ?? undefined
      })
      listeners.push(listener)
      if (security.tls !== null) tlsReload.register(endpoint.name, listener, security.tls)
      Object.assign(advertised, advertisedAddress(config.advertisedFor(endpoint.name), endpoint, listener.port))
      views.push({ advertised })
    }
  } catch (err) {
    await Promise.all(listeners.map(async (l) => await l.close()))
    groups.runtime.close()
    share.close()
    txn.close()
    await scheduler?.close()
    await logs.close()
    await cluster?.close()
    throw err
  }
  if (cluster !== undefined) {
    try {
      await cluster.join({
        nodeId: meta.nodeId,
        endpoints: config.brokerListeners.map((endpoint, i) => ({
          name: endpoint.name,
          host: views[i]?.advertised.host ?? '',
          port: views[i]?.advertised.port ?? 0,
          securityProtocol: config.securityProtocol(endpoint.name)
        })),
        replicas,
        notify: (key) => { purgatory.notify(key) },
        onIsrChange: (change) => { metrics.isrChanged(change) },
        onLeadership: (partition, leaderEpoch) => {
          for (const leadership of leaderships) leadership.onLeadership(partition, leaderEpoch)
        }
      })
    } catch (err) {
      await Promise.all(listeners.map(async (l) => await l.close()))
      groups.runtime.close()
      txn.close()
      await scheduler?.close()
      await cluster.close()
      await logs.close()
      throw err
    }
    try {
      scheduler = await startScheduler()
    } catch (err) {
      await Promise.all(listeners.map(async (l) => await l.close()))
      groups.runtime.close()
      txn.close()
      await cluster.close()
      await logs.close()
      throw err
    }
    state.scheduler = scheduler
    state.joining = false
  }
  const started = scheduler
  if (started === undefined) throw new Error('scheduled delivery did not start')
  registerScheduleGauges(metrics.registry, () => started.stats())
  const interBrokerIndex = Math.max(0, config.brokerListeners.findIndex((l) => l.name === interBrokerListenerName(config)))
  const router = await startExchangeRouter({
    clustered: cluster !== undefined,
    replicas,
    groups,
    firstLogDir: firstDir,
    allocateProducerId: async () => await producerIds.allocate(),
    // In cluster mode the routers' client is one more broker-to-broker connection: it goes to
    // this broker's inter-broker listener, with that listener's TLS and SASL settings.
    selfAddress: () => {
      const view = views[interBrokerIndex] ?? views[0]
      return formatHostPort(view?.advertised.host ?? state.advertised.host, view?.advertised.port ?? state.advertised.port)
    },
    selfConnection: () => interBrokerClientOptions(interBrokerSecurity(config), (views[interBrokerIndex] ?? views[0])?.advertised.host ?? state.advertised.host),
    logger,
    registry: metrics.registry
  })
  const primary = listeners[0] as Listener
  state.advertised = views[0]?.advertised ?? state.advertised
  const host = config.listener.host !== '' ? primary.host : state.advertised.host
  listeners.forEach((listener, i) => {
    const advertised = views[i]?.advertised ?? state.advertised
    logger.info({ nodeId: meta.nodeId, clusterId, logDirs, advertised: formatHostPort(advertised.host, advertised.port) },
      `listening on ${formatHostPort(listener.host, listener.port)}`)
  })

  let closing: Promise<void> | null = null
  const close = async (): Promise<void> => {
    closing ??= (async () => {
      // Cluster mode: leadership (and the coordinators with it) moves away while clients are still served.
      await cluster?.controlledShutdown()
      state.stopping = true
      purgatory.close()
      // Parked JoinGroup/SyncGroup requests are answered now, so the drain below does not wait on them.
      groups.runtime.close()
      share.close()
      const stopped = Promise.all(listeners.map(async (l) => await l.close()))
      for (const socket of held) socket.destroy()
      const cut = setTimeout(() => { for (const c of connections) c.destroy() }, DRAIN_TIMEOUT_MS)
      await Promise.all([...connections].map(async (c) => await c.drain()))
      clearTimeout(cut)
      await stopped
      txn.close()
      await authorization?.close()
      await scram.close()
      await router?.close()
      await quotas.close()
      await scheduler?.close()
      await cluster?.close()
      await logs.close()
      logger.info('broker stopped')
    })()
    await closing
  }

  return {
    host,
    port: primary.port,
    bootstrap: formatHostPort(host, primary.port),
    listeners: listeners.map((l, i) => ({
      name: config.brokerListeners[i]?.name ?? '',
      host: l.host,
      port: l.port,
      advertised: { ...(views[i]?.advertised ?? state.advertised) }
    })),
    config,
    clusterId,
    nodeId: meta.nodeId,
    clientMetrics,
    scheduledDelivery: () => started.stats(),
    exchangeRouting: () => router?.stats() ?? [],
    transactionCheckBacks: () => txn.checkBackStatus(),
    metrics,
    logger,
    close
  }
}

async function readConfigFile (file: string | undefined): Promise<Record<string, string>> {
  if (file === undefined) return {}
  let text
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new ConfigError('config', `cannot read the config file ${file}: ${(err as Error).message}`)
  }
  return parseProperties(text)
}

/** advertised.listeners' entry for the listener, else its own host (or this machine's name for a wildcard bind) and bound port. */
function advertisedAddress (advertised: Endpoint | null, endpoint: Endpoint, boundPort: number): { host: string, port: number } {
  return {
    host: advertised !== null && advertised.host !== '' ? advertised.host : endpoint.host !== '' ? endpoint.host : hostname(),
    port: advertised !== null && advertised.port !== 0 ? advertised.port : boundPort
  }
}

function envLevel (): LogLevel {
  const level = process.env.BROOK_LOG_LEVEL
  return level !== undefined && isLogLevel(level) ? level : 'silent'
}

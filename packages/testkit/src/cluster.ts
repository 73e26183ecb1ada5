// A Brook cluster for tests: one etcd (etcd.ts) and N `brook` child processes (broker-process.ts)
// on fixed loopback ports chosen at start, so that a broker killed with kill -9 comes back at the
// same address with the same data directory. `partitionState` asks the live brokers for a
// partition's leader, epoch and ISR with a plain Metadata request (no client cache in between).
import { connect } from 'node:net'
import { createServer } from 'node:net'
import { type ApiSchema, decodeResponseFrame, encodeRequestFrame, FrameSplitter, findCoordinatorApi, metadataApi } from '@brook/protocol'
import { startBrokerProcess, type BrokerProcess } from './broker-process.js'
import { startEtcd, type EtcdOptions, type EtcdServer } from './etcd.js'
import { tempDir, type TempDir } from './temp-dir.js'

export interface ClusterMember {
  readonly id: number
  /** The address its listener binds (127.0.0.1 unless `memberHost` says otherwise). */
  readonly host: string
  readonly port: number
  readonly dataDir: string
  /** The running process, null while stopped or killed. */
  process: BrokerProcess | null
}

export interface TestCluster {
  readonly etcd: EtcdServer
  readonly members: ReadonlyMap<number, ClusterMember>
  /** Every member's "host:port", comma-separated, for clients' bootstrap lists. */
  readonly bootstrap: string
  start: (id: number) => Promise<void>
  kill9: (id: number) => Promise<void>
  stop: (id: number) => Promise<void>
  /** The last log lines of every member, for failure messages. */
  logs: () => string
  close: () => Promise<void>
}

export interface TestClusterOptions {
  size?: number
  /** Settings every broker gets (Kafka names), on top of the cluster's own. */
  overrides?: Record<string, string>
  /** Settings of one broker (broker.rack...), on top of `overrides`. */
  memberOverrides?: (id: number) => Record<string, string>
  /** The name of each broker's one listener (PLAINTEXT by default), e.g. SASL_SSL. */
  listenerName?: string
  /** Each broker's listener address (127.0.0.1 by default), e.g. its network namespace's. */
  memberHost?: (id: number) => string
  /** A command each broker runs under (see BrokerProcessOptions.command), e.g. `ip netns exec`. */
  memberCommand?: (id: number) => readonly string[]
  /** Extra environment variables of one broker (libfaketime's...). */
  memberEnv?: (id: number) => Readonly<Record<string, string>>
  /** How etcd is started (its address, a command it runs under). */
  etcd?: EtcdOptions
  /** How long a broker may take to log "listening on" (45 s by default). */
  startTimeoutMs?: number
}

export interface PartitionState {
  leader: number
  leaderEpoch: number
  replicas: number[]
  isr: number[]
  offline: number[]
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => { resolve(port) })
    })
  })
}

export async function startTestCluster (options: TestClusterOptions = {}): Promise<TestCluster> {
  const size = options.size ?? 3
  const etcd = await startEtcd(options.etcd)
  const dirs: TempDir[] = []
  const members = new Map<number, ClusterMember>()
  for (let id = 1; id <= size; id++) {
    const dir = await tempDir(`brook-cluster-${id}-`)
    dirs.push(dir)
    members.set(id, { id, host: options.memberHost?.(id) ?? '127.0.0.1', port: await freePort(), dataDir: dir.path, process: null })
  }
  const member = (id: number): ClusterMember => {
    const m = members.get(id)
    if (m === undefined) throw new Error(`no broker ${id}`)
    return m
  }
  const start = async (id: number): Promise<void> => {
    const m = member(id)
    if (m.process !== null) throw new Error(`broker ${id} is running`)
    m.process = await startBrokerProcess({
      dataDir: m.dataDir,
      // Three brokers and etcd starting at once on a loaded 2-core box: node alone can take a while.
      startTimeoutMs: options.startTimeoutMs ?? 45_000,
      command: options.memberCommand?.(id),
      env: options.memberEnv?.(id),
      overrides: {
        'node.id': String(id),
        listeners: `${options.listenerName ?? 'PLAINTEXT'}://${m.host}:${m.port}`,
        'etcd.endpoints': etcd.endpoint,
        'etcd.prefix': '/brook-test',
        ...options.overrides,
        ...options.memberOverrides?.(id)
      }
    })
  }
  const kill9 = async (id: number): Promise<void> => {
    const m = member(id)
    await m.process?.kill9()
    m.process = null
  }
  const stop = async (id: number): Promise<void> => {
    const m = member(id)
    await m.process?.stop()
    m.process = null
  }
  const close = async (): Promise<void> => {
    await Promise.all([...members.keys()].map(async (id) => await kill9(id)))
    await etcd.close()
    await Promise.all(dirs.map(async (d) => await d.cleanup()))
  }
  try {
    await Promise.all([...members.keys()].map(async (id) => await start(id)))
  } catch (err) {
    await close()
    throw err
  }
  return {
    etcd,
    members,
    bootstrap: [...members.values()].map((m) => `${m.host}:${m.port}`).join(','),
    start,
    kill9,
    stop,
    logs: () => [...members.values()].map((m) => `--- broker ${m.id} ---\n${m.process?.logs() ?? '(not running)'}`).join('\n'),
    close
  }
}

/** One request and its response over a fresh connection to host:port. */
export async function requestTo<Req, Res> (port: number, api: ApiSchema<Req, Res>, version: number, body: Req, timeoutMs = 5000, host = '127.0.0.1'): Promise<Res> {
  const socket = connect({ host, port })
  try {
    return await new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${api.name} timed out`)) }, timeoutMs)
      socket.once('error', (err) => { clearTimeout(timer); reject(err) })
      const splitter = new FrameSplitter(64 * 1024 * 1024)
      socket.on('data', (chunk: Buffer) => {
        splitter.push(chunk, (frame) => {
          clearTimeout(timer)
          resolve(decodeResponseFrame(frame, api, version).body)
        })
      })
      socket.write(Buffer.concat(encodeRequestFrame(1, 'brook-testkit', api, version, body)))
    })
  } finally {
    socket.destroy()
  }
}

interface MetadataView {
  controllerId: number
  partitions: PartitionState[] | null
}

/** One Metadata v12 round trip to host:port. */
async function metadataFrom (host: string, port: number, topic: string, timeoutMs: number): Promise<MetadataView> {
  const socket = connect({ host, port })
  try {
    return await new Promise<MetadataView>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('metadata timed out')) }, timeoutMs)
      socket.once('error', (err) => { clearTimeout(timer); reject(err) })
      const splitter = new FrameSplitter(64 * 1024 * 1024)
      socket.on('data', (chunk: Buffer) => {
        splitter.push(chunk, (frame) => {
          clearTimeout(timer)
          const { body } = decodeResponseFrame(frame, metadataApi, 12)
          const t = body.topics.find((x) => x.name === topic)
          if (t === undefined || t.errorCode !== 0) {
            resolve({ controllerId: body.controllerId ?? -1, partitions: null })
            return
          }
          resolve({ controllerId: body.controllerId ?? -1, partitions: [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => ({
            leader: p.leaderId,
            leaderEpoch: p.leaderEpoch ?? -1,
            replicas: [...p.replicaNodes],
            isr: [...p.isrNodes],
            offline: [...(p.offlineReplicas ?? [])]
          })) })
        })
      })
      socket.write(Buffer.concat(encodeRequestFrame(1, 'brook-testkit', metadataApi, 12, {
        topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: topic }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false
      })))
    })
  } finally {
    socket.destroy()
  }
}

/** A partition's state as the first running broker that answers reports it; null if none does. */
export async function partitionState (cluster: TestCluster, topic: string, partition = 0): Promise<PartitionState | null> {
  for (const m of cluster.members.values()) {
    if (m.process === null) continue
    try {
      const state = (await metadataFrom(m.host, m.port, topic, 2000)).partitions?.[partition]
      if (state !== undefined) return state
    } catch {
      // A broker that is starting or just died: ask the next one.
    }
  }
  return null
}

/** The controller's broker id as the first running broker that answers reports it (-1: none). */
export async function controllerOf (cluster: TestCluster): Promise<number> {
  for (const m of cluster.members.values()) {
    if (m.process === null) continue
    try {
      return (await metadataFrom(m.host, m.port, '', 2000)).controllerId
    } catch {
      // A broker that is starting or just died: ask the next one.
    }
  }
  return -1
}

/**
 * The coordinator of a group (keyType 0) or transactional id (1) as the first running broker that
 * answers FindCoordinator reports it; -1 when none names one.
 */
export async function coordinatorOf (cluster: TestCluster, key: string, keyType: 0 | 1 = 0): Promise<number> {
  for (const m of cluster.members.values()) {
    if (m.process === null) continue
    try {
      const response = await requestTo(m.port, findCoordinatorApi, 3, { key, keyType }, 5000, m.host)
      if (response.errorCode === 0 && response.nodeId !== undefined && response.nodeId >= 0) return response.nodeId
    } catch {
      // A broker that is starting or just died: ask the next one.
    }
  }
  return -1
}

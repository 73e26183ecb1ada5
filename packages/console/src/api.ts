// The console's only way to the cluster: Brook's HTTP API on the same origin (v3 for admin and
// produce, /console/api for what v3 lacks). With authentication on, the browser's own Basic
// prompt has already run and sends the credentials with every request.

export class ApiError extends Error {
  readonly status: number
  constructor (status: number, message: string) {
    super(message)
    this.status = status
  }
}

async function call<T> (method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { accept: 'application/json' }, credentials: 'same-origin' }
  if (body !== undefined) {
    init.body = JSON.stringify(body)
    init.headers = { accept: 'application/json', 'content-type': 'application/json' }
  }
  const response = await fetch(path, init)
  if (response.status === 204) return undefined as T
  const text = await response.text()
  let parsed: unknown = null
  try {
    parsed = text === '' ? null : JSON.parse(text)
  } catch {
    parsed = null // not JSON (a proxy's error page): the status line says what happened
  }
  if (!response.ok) {
    const message = parsed !== null && typeof parsed === 'object' && 'message' in parsed ? String(parsed.message) : `${response.status} ${response.statusText}`
    throw new ApiError(response.status, message)
  }
  return parsed as T
}

export const get = async <T>(path: string): Promise<T> => await call<T>('GET', path)
export const post = async <T>(path: string, body?: unknown): Promise<T> => await call<T>('POST', path, body ?? {})
export const put = async <T>(path: string, body: unknown): Promise<T> => await call<T>('PUT', path, body)
export const del = async <T>(path: string): Promise<T> => await call<T>('DELETE', path)

let clusterPath: Promise<string> | null = null
/** `/v3/clusters/<id>`: the v3 API's root for this cluster, asked once. */
export async function v3 (): Promise<string> {
  clusterPath ??= get<{ data: Array<{ cluster_id: string }> }>('/v3/clusters').then((r) => `/v3/clusters/${encodeURIComponent(r.data[0]?.cluster_id ?? '')}`)
  try {
    return await clusterPath
  } catch (err) {
    clusterPath = null
    throw err
  }
}

export const enc = encodeURIComponent

export interface Overview {
  clusterId: string | null
  controllerId: number
  brokers: Array<{ nodeId: number, host: string, port: number, rack: string | null, diskBytes: number | null }>
  topics: number
  internalTopics: number
  partitions: number
  messages: number
  endOffsetSum: number
  diskBytes: number | null
  offline: PartitionProblem[]
  offlineCount: number
  underReplicated: PartitionProblem[]
  underReplicatedCount: number
}
export interface PartitionProblem { topic: string, partition: number, leader: number, replicas: number[], isr: number[] }

export interface TopicRow { name: string, internal: boolean, partitions: number, replicationFactor: number, sizeBytes: number | null, messages: number, endOffsetSum: number, offline: number, underReplicated: number }

export interface TopicDetail {
  name: string
  internal: boolean
  topicId: string | null
  partitions: Array<{ partition: number, leader: number, replicas: number[], isr: number[], startOffset: number | null, endOffset: number | null, sizeBytes: number | null }>
}

export interface ConfigRow { name: string, value: string | null, is_default: boolean, is_read_only: boolean, is_sensitive: boolean, source: string }

export interface Shown { data: string | null, size: number, truncated: boolean }
export interface MessageRow { partition: number, offset: number, timestamp: number, key: Shown, value: Shown, headers: Array<{ key: string, value: string | null }> }
export interface MessagePage { topic: string, partitions: number, records: MessageRow[], more: boolean, scanned?: number, windowComplete?: boolean }

export interface GroupRow { groupId: string, type: 'consumer' | 'share', kind: string, state: string, members: number | null, partitions: number | null, totalLag: number | null }
export interface GroupDetail {
  groupId: string
  type: 'consumer' | 'share'
  state: string
  protocol: string
  members: Array<{ memberId: string, clientId: string, clientHost: string, instanceId: string | null, assignment: Array<{ topic: string, partitions: number[] }> }>
  partitions: Array<{ topic: string, partition: number, committed: number | null, end: number | null, lag: number | null, member: string | null }>
  totalLag: number
}
export interface ResetPlan { groupId: string, dryRun: boolean, applied: boolean, plan: Array<{ topic: string, partition: number, current: number | null, target: number, lagAfter: number }> }
export interface TransactionRow { transactionalId: string, producerId: number, state: string, coordinator: number }
export interface DeliveryRow { name: string, partitions: number, delayMs: number, scheduleEnabled: boolean }

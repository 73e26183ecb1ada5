// A coordinator over in-memory logs and hand-driven time, plus small client-side helpers that
// speak the coordinator's request shapes. Not a test file itself.
import { DEFAULT_GROUP_CONFIG, type GroupCoordinatorConfig } from '../../src/group/config.js'
import { encodeSubscription } from '../../src/group/consumer-protocol.js'
import { GroupCoordinator } from '../../src/group/coordinator.js'
import { MemoryCoordinatorLog } from '../../src/coordinator/log.js'
import { GroupCoordinatorRuntime } from '../../src/group/runtime.js'
import { ManualTime } from '@brook/common'
import type { JoinGroupResult, JoinProtocol, SyncGroupResult } from '../../src/group/types.js'
import type { TopicResolver } from '../../src/group/consumer/topics.js'

export const TEST_CONFIG: GroupCoordinatorConfig = {
  ...DEFAULT_GROUP_CONFIG,
  offsetsTopicNumPartitions: 3,
  minSessionTimeoutMs: 1000,
  initialRebalanceDelayMs: 0
}

export interface Harness {
  time: ManualTime
  logs: Map<number, MemoryCoordinatorLog>
  runtime: GroupCoordinatorRuntime
  coordinator: GroupCoordinator
}

export async function startHarness (
  overrides: Partial<GroupCoordinatorConfig> = {},
  existing?: { time?: ManualTime, logs?: Map<number, MemoryCoordinatorLog>, topics?: TopicResolver }
): Promise<Harness> {
  const time = existing?.time ?? new ManualTime()
  const logs = existing?.logs ?? new Map<number, MemoryCoordinatorLog>()
  const runtime = new GroupCoordinatorRuntime({
    config: { ...TEST_CONFIG, ...overrides },
    clock: time,
    timer: time,
    ...(existing?.topics === undefined ? {} : { topics: existing.topics }),
    openLog: async (p) => {
      let log = logs.get(p)
      if (log === undefined) {
        log = new MemoryCoordinatorLog()
        logs.set(p, log)
      }
      return log
    }
  })
  await runtime.start()
  return { time, logs, runtime, coordinator: new GroupCoordinator(runtime) }
}

/** Lets queued operations (and their in-memory appends) run to completion. */
export async function settle (): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** Moves time (firing due timers), then lets the work they queued finish. */
export async function advance (h: Harness, ms: number): Promise<void> {
  await settle()
  h.time.advance(ms)
  await settle()
  // Work done by those timers may schedule more zero-delay work (e.g. the initial rebalance
  // delay rescheduled with 0 ms when it is configured as 0): run that too, without moving time.
  for (let i = 0; i < 5; i++) {
    h.time.advance(0)
    await settle()
  }
}

export function consumerProtocols (topics: string[], names = ['range']): JoinProtocol[] {
  return names.map((name) => ({ name, metadata: encodeSubscription({ version: 0, topics }) }))
}

export interface JoinOptions {
  memberId?: string
  groupInstanceId?: string | null
  protocols?: JoinProtocol[]
  protocolType?: string
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  apiVersion?: number
  clientId?: string
}

export function join (h: Harness, groupId: string, o: JoinOptions = {}): Promise<JoinGroupResult> {
  return h.coordinator.joinGroup(
    { clientId: o.clientId ?? 'client', clientHost: '/127.0.0.1', apiVersion: o.apiVersion ?? 5 },
    {
      groupId,
      memberId: o.memberId ?? '',
      groupInstanceId: o.groupInstanceId ?? null,
      protocolType: o.protocolType ?? 'consumer',
      protocols: o.protocols ?? consumerProtocols(['t']),
      sessionTimeoutMs: o.sessionTimeoutMs ?? 10000,
      rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 20000
    }
  )
}

export function sync (
  h: Harness, groupId: string, memberId: string, generationId: number,
  assignments: Array<{ memberId: string, assignment: Buffer }> = [], groupInstanceId: string | null = null
): Promise<SyncGroupResult> {
  return h.coordinator.syncGroup({ groupId, memberId, generationId, groupInstanceId, protocolType: null, protocolName: null, assignments })
}

export function heartbeat (h: Harness, groupId: string, memberId: string, generationId: number, groupInstanceId: string | null = null): Promise<number> {
  return h.coordinator.heartbeat({ groupId, memberId, generationId, groupInstanceId })
}

/** Tracks whether a promise has settled, to assert "still parked". */
export function track<T> (p: Promise<T>): { done: () => boolean, value: () => T | undefined, promise: Promise<T> } {
  let settled = false
  let value: T | undefined
  void p.then((v) => { settled = true; value = v }, () => { settled = true })
  return { done: () => settled, value: () => value, promise: p }
}

/**
 * Joins `n` dynamic members (JoinGroup v4+: MEMBER_ID_REQUIRED first), completes the rebalance
 * with the first leader's assignment, and returns the member ids and generation.
 */
export async function formGroup (h: Harness, groupId: string, n: number, o: JoinOptions = {}): Promise<{ members: string[], generation: number, leader: string }> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const first = await join(h, groupId, o)
    ids.push(first.memberId)
  }
  const joins = ids.map((memberId) => join(h, groupId, { ...o, memberId }))
  await advance(h, 0)
  const results = await Promise.all(joins)
  const leaderResult = results.find((r) => r.members.length > 0)
  if (leaderResult === undefined) throw new Error('no leader')
  const generation = leaderResult.generationId
  const assignments = ids.map((memberId, i) => ({ memberId, assignment: Buffer.from(`assignment-${i}`) }))
  const syncs = ids.map((memberId) => sync(h, groupId, memberId, generation, memberId === leaderResult.leader ? assignments : []))
  await Promise.all(syncs)
  return { members: ids, generation, leader: leaderResult.leader }
}

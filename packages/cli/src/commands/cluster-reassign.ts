// `brook cluster reassign`: Kafka's kafka-reassign-partitions tool on Brook's admin client, with
// its plan file ({"version":1,"partitions":[{"topic","partition","replicas"}]}):
// - --generate: a plan that moves the given topics' partitions onto --broker-list (the same
//   round-robin placement as topic creation, keeping replication factors);
// - --execute: prints the current assignment (the rollback plan), sets the throttle when
//   --throttle is given (both replication rates on every broker; the moving partitions' current
//   replicas and new replicas in the topics' throttled replica lists), then starts the moves;
// - --verify: each partition's state (complete, in progress, or not as planned); once nothing is
//   in progress it removes the throttle, as Kafka's tool does;
// - --cancel: cancels the moves still in progress and removes the throttle.
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { type Admin, ConfigResourceType, ErrorCode, kafkaError } from '@brook/client'
import type { ConnectionFlags } from '../connection/client-options.js'
import { CommandFailed, UsageError } from '../errors.js'
import { printJson, printTable } from '../output/output.js'
import { examples, type FormatFlags, intOf, withAdmin, withConnection, withFormat } from './common.js'

interface Flags extends ConnectionFlags, FormatFlags {
  reassignmentJsonFile?: string
  topicsToMoveJsonFile?: string
  brokerList?: string
  generate?: boolean
  execute?: boolean
  verify?: boolean
  cancel?: boolean
  throttle?: number
}

export interface PlannedMove { topic: string, partition: number, replicas: number[] }
export interface Plan { version: 1, partitions: PlannedMove[] }

const RATE_CONFIGS = ['leader.replication.throttled.rate', 'follower.replication.throttled.rate']
const LIST_CONFIGS = { leader: 'leader.replication.throttled.replicas', follower: 'follower.replication.throttled.replicas' }

/** A plan file's moves, checked: every entry a topic, a partition and distinct broker ids. */
export function parsePlan (text: string): PlannedMove[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new UsageError(`the plan is not JSON: ${(err as Error).message}`)
  }
  const partitions = (parsed as { partitions?: unknown } | null)?.partitions
  if (!Array.isArray(partitions) || partitions.length === 0) throw new UsageError('the plan needs a non-empty "partitions" list')
  return partitions.map((entry: unknown, i) => {
    const e = entry as { topic?: unknown, partition?: unknown, replicas?: unknown }
    const replicas = e.replicas
    if (typeof e.topic !== 'string' || !Number.isInteger(e.partition) || !Array.isArray(replicas) || replicas.length === 0 ||
        !replicas.every((r) => Number.isInteger(r) && (r as number) >= 0) || new Set(replicas).size !== replicas.length) {
      throw new UsageError(`plan entry ${i}: needs "topic", "partition" and "replicas" (distinct broker ids)`)
    }
    return { topic: e.topic, partition: e.partition as number, replicas: replicas as number[] }
  })
}

function brokerIds (value: string): number[] {
  const ids = value.split(',').map((s) => Number(s.trim()))
  if (ids.length === 0 || !ids.every((n) => Number.isInteger(n) && n >= 0) || new Set(ids).size !== ids.length) {
    throw new UsageError(`--broker-list must be distinct broker ids, got ${value}`)
  }
  return ids
}

/** Round-robin placement of `count` replicas per partition over `brokers`, shifted per partition. */
export function generatePlan (topics: Array<{ name: string, partitions: Array<{ partition: number, replicas: number[] }> }>, brokers: number[]): PlannedMove[] {
  const out: PlannedMove[] = []
  let start = 0
  for (const t of topics) {
    for (const p of t.partitions) {
      const count = p.replicas.length
      if (count > brokers.length) throw new UsageError(`${t.name}-${p.partition} has ${count} replicas but --broker-list names ${brokers.length} brokers`)
      out.push({ topic: t.name, partition: p.partition, replicas: Array.from({ length: count }, (_, i) => brokers[(start + i) % brokers.length] as number) })
      start++
    }
  }
  return out
}

async function currentAssignment (admin: Admin, moves: readonly PlannedMove[]): Promise<PlannedMove[]> {
  const topics = [...new Set(moves.map((m) => m.topic))]
  const described = await admin.describeTopics(topics)
  return moves.map((m) => {
    const p = described.find((t) => t.name === m.topic)?.partitions.find((x) => x.partition === m.partition)
    if (p === undefined) throw kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${m.topic}-${m.partition}`)
    return { topic: m.topic, partition: m.partition, replicas: [...p.replicas] }
  })
}

async function setThrottle (admin: Admin, rate: number, moves: readonly PlannedMove[], current: readonly PlannedMove[]): Promise<void> {
  const { brokers } = await admin.describeCluster()
  for (const b of brokers) {
    await admin.alterConfigs({ type: ConfigResourceType.Broker, name: String(b.nodeId) }, RATE_CONFIGS.map((name) => ({ name, value: String(rate) })))
  }
  const lists = new Map<string, { leader: string[], follower: string[] }>()
  moves.forEach((m, i) => {
    const was = current[i]?.replicas ?? []
    const entry = lists.get(m.topic) ?? { leader: [], follower: [] }
    entry.leader.push(...was.map((b) => `${m.partition}:${b}`))
    entry.follower.push(...m.replicas.filter((b) => !was.includes(b)).map((b) => `${m.partition}:${b}`))
    lists.set(m.topic, entry)
  })
  for (const [topic, entry] of lists) {
    await admin.alterConfigs({ type: ConfigResourceType.Topic, name: topic }, [
      { name: LIST_CONFIGS.leader, value: entry.leader.join(',') },
      entry.follower.length === 0 ? { name: LIST_CONFIGS.follower, op: 'delete' as const } : { name: LIST_CONFIGS.follower, value: entry.follower.join(',') }
    ])
  }
}

async function removeThrottle (admin: Admin, moves: readonly PlannedMove[]): Promise<void> {
  const { brokers } = await admin.describeCluster()
  for (const b of brokers) {
    await admin.alterConfigs({ type: ConfigResourceType.Broker, name: String(b.nodeId) }, RATE_CONFIGS.map((name) => ({ name, op: 'delete' as const })))
  }
  for (const topic of new Set(moves.map((m) => m.topic))) {
    await admin.alterConfigs({ type: ConfigResourceType.Topic, name: topic }, Object.values(LIST_CONFIGS).map((name) => ({ name, op: 'delete' as const })))
  }
}

function outcome (code: number): string {
  return code === ErrorCode.NONE ? 'started' : kafkaError(code, '').kafkaName
}

async function readPlan (flags: Flags): Promise<PlannedMove[]> {
  if (flags.reassignmentJsonFile === undefined) throw new UsageError('--execute, --verify and --cancel need --reassignment-json-file')
  return parsePlan(await readFile(flags.reassignmentJsonFile, 'utf8'))
}

async function generate (flags: Flags): Promise<void> {
  if (flags.topicsToMoveJsonFile === undefined || flags.brokerList === undefined) throw new UsageError('--generate needs --topics-to-move-json-file and --broker-list')
  const brokers = brokerIds(flags.brokerList)
  const wanted = (JSON.parse(await readFile(flags.topicsToMoveJsonFile, 'utf8')) as { topics?: Array<{ topic?: unknown }> }).topics
  if (!Array.isArray(wanted) || !wanted.every((t) => typeof t.topic === 'string')) throw new UsageError('the topics file needs {"topics":[{"topic":"name"},...]}')
  const described = await withAdmin(flags, async (admin) => await admin.describeTopics(wanted.map((t) => t.topic as string)))
  const plan: Plan = { version: 1, partitions: generatePlan(described, brokers) }
  printJson(plan)
}

async function execute (flags: Flags): Promise<void> {
  const moves = await readPlan(flags)
  const { current, results } = await withAdmin(flags, async (admin) => {
    const current = await currentAssignment(admin, moves)
    if (flags.throttle !== undefined) await setThrottle(admin, flags.throttle, moves, current)
    return { current, results: await admin.alterPartitionReassignments(moves) }
  })
  const rollback: Plan = { version: 1, partitions: current }
  if (flags.format === 'json') printJson({ current: rollback, results: results.map((r) => ({ ...r, result: outcome(r.errorCode) })) })
  else {
    process.stdout.write(`Current partition replica assignment (save it for a rollback):\n${JSON.stringify(rollback)}\n\n`)
    printTable(['topic', 'partition', 'result', 'message'], results.map((r) => [r.topic, r.partition, outcome(r.errorCode), r.errorMessage ?? '']))
  }
  const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE)
  if (failed.length > 0) throw new CommandFailed(`${failed.length} partition(s) could not be reassigned`)
}

async function verify (flags: Flags): Promise<void> {
  const moves = await readPlan(flags)
  const states = await withAdmin(flags, async (admin) => {
    const ongoing = await admin.listPartitionReassignments()
    const current = await currentAssignment(admin, moves)
    const states = moves.map((m, i) => {
      const busy = ongoing.some((o) => o.topic === m.topic && o.partition === m.partition)
      const done = current[i]?.replicas.join() === m.replicas.join()
      return { topic: m.topic, partition: m.partition, state: busy ? 'in progress' : done ? 'complete' : 'not as planned', replicas: current[i]?.replicas ?? [] }
    })
    if (!states.some((s) => s.state === 'in progress')) await removeThrottle(admin, moves)
    return states
  })
  if (flags.format === 'json') printJson(states)
  else printTable(['topic', 'partition', 'state', 'replicas'], states.map((s) => [s.topic, s.partition, s.state, s.replicas.join(',')]))
  const off = states.filter((s) => s.state === 'not as planned')
  if (off.length > 0) throw new CommandFailed(`${off.length} partition(s) are not as the plan says`)
}

async function cancel (flags: Flags): Promise<void> {
  const moves = await readPlan(flags)
  const results = await withAdmin(flags, async (admin) => {
    const results = await admin.alterPartitionReassignments(moves.map((m) => ({ topic: m.topic, partition: m.partition, replicas: null })))
    await removeThrottle(admin, moves)
    return results
  })
  const named = results.map((r) => ({ ...r, result: r.errorCode === ErrorCode.NONE ? 'cancelled' : kafkaError(r.errorCode, '').kafkaName }))
  if (flags.format === 'json') printJson(named)
  else printTable(['topic', 'partition', 'result'], named.map((r) => [r.topic, r.partition, r.result]))
  const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.NO_REASSIGNMENT_IN_PROGRESS)
  if (failed.length > 0) throw new CommandFailed(`${failed.length} partition(s) could not be cancelled`)
}

export function registerReassign (cluster: Command): void {
  examples(withFormat(withConnection(cluster.command('reassign')
    .description('Move partition replicas between brokers with a plan file (as kafka-reassign-partitions)')
    .option('--reassignment-json-file <file>', 'the plan: {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3,4]}]}')
    .option('--topics-to-move-json-file <file>', 'for --generate: {"topics":[{"topic":"t"}]}')
    .option('--broker-list <ids>', 'for --generate: the brokers to move onto, e.g. 2,3,4')
    .option('--generate', 'print a plan moving the topics onto --broker-list')
    .option('--execute', 'start the plan (prints the current assignment for a rollback)')
    .option('--verify', 'show progress; removes the throttle once nothing is in progress')
    .option('--cancel', 'cancel the plan\'s moves still in progress and remove the throttle')
    .option('--throttle <bytes/s>', 'with --execute: the replication throttle while replicas catch up', intOf('--throttle', 1)))), [
    'brook cluster reassign --generate --topics-to-move-json-file topics.json --broker-list 2,3,4 > plan.json',
    'brook cluster reassign --execute --reassignment-json-file plan.json --throttle 50000000',
    'brook cluster reassign --verify --reassignment-json-file plan.json',
    'brook cluster reassign --cancel --reassignment-json-file plan.json'
  ]).action(async (flags: Flags) => {
    const modes = [flags.generate, flags.execute, flags.verify, flags.cancel].filter((m) => m === true).length
    if (modes !== 1) throw new UsageError('give exactly one of --generate, --execute, --verify, --cancel')
    if (flags.throttle !== undefined && flags.execute !== true) throw new UsageError('--throttle goes with --execute')
    if (flags.generate === true) await generate(flags)
    else if (flags.execute === true) await execute(flags)
    else if (flags.verify === true) await verify(flags)
    else await cancel(flags)
  })
}

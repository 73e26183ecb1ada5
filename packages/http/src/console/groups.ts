// The console's groups: consumer groups (classic and KIP-848) and share groups, with members,
// assignments, committed offsets and lag per partition (committed offset against the high
// watermark, as kafka-consumer-groups shows it; a share group's lag is what the broker reports),
// and offset resets planned first (dry run) and applied only when asked. Lag over time is drawn
// by the browser from the samples it polls.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Admin, TopicPartitionOffset } from '@brook/client'
import type { HttpContext } from '../context.js'
import { notFound, RestError } from '../errors.js'
import { allMetadata, EARLIEST, LATEST, offsetsAt, tp, type ClusterMetadata } from './reads.js'
import type { Logger } from '@brook/common'

interface PartitionRow { topic: string, partition: number, committed: number | null, end: number | null, lag: number | null, member: string | null }

interface GroupDetail {
  groupId: string
  type: 'consumer' | 'share'
  state: string
  protocol: string
  members: Array<{ memberId: string, clientId: string, clientHost: string, instanceId: string | null, assignment: Array<{ topic: string, partitions: number[] }> }>
  partitions: PartitionRow[]
  totalLag: number
}

async function consumerGroup (admin: Admin, meta: ClusterMetadata, groupId: string, logger: Logger): Promise<GroupDetail> {
  const [g] = await admin.describeGroups([groupId])
  if (g === undefined || g.state === 'Dead') throw notFound(`Consumer group ${groupId} cannot be found.`)
  const committed = (await admin.listGroupOffsets(groupId)).filter((o) => o.offset >= 0n)
  const owners = new Map<string, string>()
  for (const m of g.members) for (const a of m.assignment) for (const p of a.partitions) owners.set(tp(a.topic, p), m.memberId)
  // Partitions assigned but never committed are shown too (no lag known yet).
  const rows = new Map<string, { topic: string, partition: number, committed: bigint | null }>()
  for (const c of committed) rows.set(tp(c.topic, c.partition), { topic: c.topic, partition: c.partition, committed: c.offset })
  for (const m of g.members) for (const a of m.assignment) for (const p of a.partitions) if (!rows.has(tp(a.topic, p))) rows.set(tp(a.topic, p), { topic: a.topic, partition: p, committed: null })
  const ends = await offsetsAt(admin, meta, [...rows.values()], LATEST, logger)
  const partitions = [...rows.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)).map((r) => {
    const key = tp(r.topic, r.partition)
    const end = ends.get(key)
    const lag = end === undefined || r.committed === null ? null : Math.max(0, Number(end - r.committed))
    return { topic: r.topic, partition: r.partition, committed: r.committed === null ? null : Number(r.committed), end: end === undefined ? null : Number(end), lag, member: owners.get(key) ?? null }
  })
  return {
    groupId,
    type: 'consumer',
    state: g.state,
    protocol: g.protocol,
    members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, instanceId: m.groupInstanceId, assignment: m.assignment })),
    partitions,
    totalLag: partitions.reduce((n, p) => n + (p.lag ?? 0), 0)
  }
}

async function shareGroup (admin: Admin, meta: ClusterMetadata, groupId: string, logger: Logger): Promise<GroupDetail> {
  const [g] = await admin.describeShareGroups([groupId])
  if (g === undefined || g.state === 'Dead') throw notFound(`Share group ${groupId} cannot be found.`)
  const offsets = await admin.describeShareGroupOffsets(groupId)
  const ends = await offsetsAt(admin, meta, offsets, LATEST, logger)
  const partitions = offsets.map((o) => {
    const end = ends.get(tp(o.topic, o.partition))
    const lag = o.lag !== null ? Number(o.lag) : end === undefined || o.startOffset < 0n ? null : Math.max(0, Number(end - o.startOffset))
    return { topic: o.topic, partition: o.partition, committed: o.startOffset < 0n ? null : Number(o.startOffset), end: end === undefined ? null : Number(end), lag, member: null }
  })
  return {
    groupId,
    type: 'share',
    state: g.state,
    protocol: g.assignor,
    members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, instanceId: null, assignment: m.assignment })),
    partitions,
    totalLag: partitions.reduce((n, p) => n + (p.lag ?? 0), 0)
  }
}

interface ResetBody { type?: unknown, topic?: unknown, partitions?: unknown, to?: unknown, value?: unknown, dryRun?: unknown }

const unprocessable = (message: string): RestError => new RestError(422, 422, message)

export function registerGroups (app: FastifyInstance, ctx: HttpContext): void {
  // Each request runs as its user (with authentication on), through that user's client.
  const admin = (request: FastifyRequest): Admin => request.kafka.admin
  const detail = async (admin: Admin, groupId: string, type: string | undefined, meta: ClusterMetadata): Promise<GroupDetail> =>
    type === 'share' ? await shareGroup(admin, meta, groupId, ctx.logger) : await consumerGroup(admin, meta, groupId, ctx.logger)

  app.get('/console/api/groups', async (request) => {
    const listed = await admin(request).listGroups()
    const meta = await allMetadata(admin(request))
    const groups = await Promise.all(listed.map(async (g) => {
      const type = g.type?.toLowerCase() === 'share' ? 'share' : 'consumer'
      try {
        const d = await detail(admin(request), g.groupId, type, meta)
        return { groupId: g.groupId, type, kind: g.type ?? 'classic', state: d.state, members: d.members.length, partitions: d.partitions.length, totalLag: d.totalLag }
      } catch (err) {
        // A group that vanished or that this principal may not describe is listed without detail.
        ctx.logger.debug({ group: g.groupId, err: (err as Error).message }, 'console: describing a group failed')
        return { groupId: g.groupId, type, kind: g.type ?? 'classic', state: g.state ?? 'Unknown', members: null, partitions: null, totalLag: null }
      }
    }))
    return { groups }
  })

  app.get<{ Params: { group: string }, Querystring: { type?: string } }>('/console/api/groups/:group', async (request) => {
    return await detail(admin(request), request.params.group, request.query.type, await allMetadata(admin(request)))
  })

  /**
   * Plans new offsets for a group's partitions of one topic: `to` earliest, latest, offset (value),
   * timestamp (value, ms) or shift (value, by how many, negative to go back). The plan is always
   * answered; with `dryRun: false` it is also committed (the group must have no members).
   */
  app.post<{ Params: { group: string }, Body: ResetBody }>('/console/api/groups/:group/reset', async (request) => {
    const body = request.body ?? {}
    const groupId = request.params.group
    const share = body.type === 'share'
    if (typeof body.topic !== 'string' || body.topic === '') throw unprocessable('topic: the topic whose offsets to reset')
    const to = body.to
    if (to !== 'earliest' && to !== 'latest' && to !== 'offset' && to !== 'timestamp' && to !== 'shift') throw unprocessable('to: earliest, latest, offset, timestamp or shift')
    const value = body.value === undefined ? null : Number(body.value)
    if (to !== 'earliest' && to !== 'latest' && (value === null || !Number.isSafeInteger(value))) throw unprocessable(`value: an integer, for to=${to}`)
    if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean') throw unprocessable('dryRun: true or false')
    const meta = await allMetadata(admin(request))
    const described = meta.topics.get(body.topic)
    if (described === undefined) throw notFound(`Topic ${body.topic} not found.`, 40401)
    let partitions = described.partitions.map((p) => p.partition)
    if (body.partitions !== undefined && body.partitions !== null) {
      if (!Array.isArray(body.partitions) || !body.partitions.every((p) => Number.isInteger(p) && p >= 0 && p < described.partitions.length)) throw unprocessable('partitions: partition numbers of the topic')
      partitions = body.partitions as number[]
    }
    const wanted = partitions.map((partition) => ({ topic: body.topic as string, partition }))
    const current = await detail(admin(request), groupId, share ? 'share' : 'consumer', meta)
    const [starts, ends] = await Promise.all([offsetsAt(admin(request), meta, wanted, EARLIEST, ctx.logger), offsetsAt(admin(request), meta, wanted, LATEST, ctx.logger)])
    const byTime = to === 'timestamp' ? await offsetsAt(admin(request), meta, wanted, BigInt(value!), ctx.logger) : null
    const plan = wanted.map(({ topic, partition }) => {
      const key = tp(topic, partition)
      const start = starts.get(key) ?? 0n
      const end = ends.get(key) ?? 0n
      const was = current.partitions.find((p) => p.topic === topic && p.partition === partition)?.committed ?? null
      let target: bigint
      if (to === 'earliest') target = start
      else if (to === 'latest') target = end
      else if (to === 'offset') target = BigInt(value!)
      else if (to === 'timestamp') target = byTime!.get(key) ?? end
      else target = BigInt(was ?? Number(end)) + BigInt(value!)
      // Clamped to the log, as kafka-consumer-groups does.
      if (target < start) target = start
      if (target > end) target = end
      return { topic, partition, current: was, target: Number(target), lagAfter: Number(end - target) }
    })
    const dryRun = body.dryRun !== false
    if (!dryRun) {
      const offsets: TopicPartitionOffset[] = plan.map((p) => ({ topic: p.topic, partition: p.partition, offset: BigInt(p.target) }))
      if (share) await admin(request).alterShareGroupOffsets(groupId, offsets)
      else {
        if (current.members.length > 0) throw new RestError(409, 409, `Group ${groupId} has ${current.members.length} active member(s): stop its consumers before resetting its offsets.`)
        await admin(request).alterGroupOffsets(groupId, offsets)
      }
    }
    return { groupId, dryRun, applied: !dryRun, plan }
  })
}

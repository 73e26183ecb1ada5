// v3 consumer groups: list, describe, members, and lag (per partition and summed), computed as
// kafka-consumer-groups does: the committed offset against the partition's latest offset.
import type { FastifyInstance } from 'fastify'
import type { GroupDescription } from '@brook/client'
import type { HttpContext } from '../context.js'
import type { KafkaAccess } from '../kafka.js'
import { notFound } from '../errors.js'
import { list, related, resource, type Links } from './resources.js'
import type { ClusterParams, ClusterResolver } from './index.js'

type GroupParams = ClusterParams & { group: string }

interface Lag {
  topic: string
  partition: number
  current: number
  end: number
  lag: number
  member: GroupDescription['members'][number] | undefined
}

async function lagsOf (kafka: KafkaAccess, group: GroupDescription): Promise<Lag[]> {
  const admin = kafka.admin
  const committed = (await admin.listGroupOffsets(group.groupId)).filter((o) => o.offset >= 0n)
  const owners = new Map<string, GroupDescription['members'][number]>()
  for (const m of group.members) for (const a of m.assignment) for (const p of a.partitions) owners.set(`${a.topic}\u0000${p}`, m)
  const ends = new Map<string, bigint>()
  for (const topic of new Set(committed.map((c) => c.topic))) {
    for (const o of await admin.fetchTopicOffsets(topic, 'latest')) ends.set(`${topic}\u0000${o.partition}`, o.offset)
  }
  return committed.map((c) => {
    const key = `${c.topic}\u0000${c.partition}`
    const end = ends.get(key) ?? c.offset
    return { topic: c.topic, partition: c.partition, current: Number(c.offset), end: Number(end), lag: Math.max(0, Number(end - c.offset)), member: owners.get(key) }
  })
}

export function registerGroups (app: FastifyInstance, _ctx: HttpContext, resolve: ClusterResolver): void {
  const groupPath = (g: string): string => `/consumer-groups/${encodeURIComponent(g)}`
  const describe = async (kafka: KafkaAccess, groupId: string): Promise<GroupDescription> => {
    const [g] = await kafka.admin.describeGroups([groupId])
    if (g === undefined || g.state === 'Dead') throw notFound(`Consumer group ${groupId} cannot be found.`)
    return g
  }
  const group = (links: Links, g: GroupDescription, controllerId: number): unknown => ({
    ...resource(links, 'ConsumerGroup', groupPath(g.groupId), `/consumer-group=${g.groupId}`),
    consumer_group_id: g.groupId,
    is_simple: g.protocolType === '',
    partition_assignor: g.protocol,
    state: g.state.toUpperCase().replace('COMPLETINGREBALANCE', 'COMPLETING_REBALANCE').replace('PREPARINGREBALANCE', 'PREPARING_REBALANCE'),
    coordinator: related(`${links.cluster}/brokers/${controllerId}`),
    consumers: related(`${links.cluster}${groupPath(g.groupId)}/consumers`),
    lag_summary: related(`${links.cluster}${groupPath(g.groupId)}/lag-summary`)
  })
  const consumer = (links: Links, groupId: string, m: GroupDescription['members'][number]): unknown => ({
    ...resource(links, 'Consumer', `${groupPath(groupId)}/consumers/${m.memberId}`, `/consumer-group=${groupId}/consumer=${m.memberId}`),
    consumer_group_id: groupId,
    consumer_id: m.memberId,
    instance_id: m.groupInstanceId,
    client_id: m.clientId,
    assignments: related(`${links.cluster}${groupPath(groupId)}/consumers/${m.memberId}/assignments`)
  })

  app.get<{ Params: ClusterParams }>('/v3/clusters/:cluster/consumer-groups', async (request) => {
    const links = await resolve(request)
    const { controllerId } = await request.kafka.admin.describeCluster()
    const ids = (await request.kafka.admin.listGroups()).map((g) => g.groupId)
    const groups = ids.length === 0 ? [] : await request.kafka.admin.describeGroups(ids)
    return list('ConsumerGroup', `${links.cluster}/consumer-groups`, groups.map((g) => group(links, g, controllerId)))
  })

  app.get<{ Params: GroupParams }>('/v3/clusters/:cluster/consumer-groups/:group', async (request) => {
    const links = await resolve(request)
    const { controllerId } = await request.kafka.admin.describeCluster()
    return group(links, await describe(request.kafka, request.params.group), controllerId)
  })

  app.get<{ Params: GroupParams }>('/v3/clusters/:cluster/consumer-groups/:group/consumers', async (request) => {
    const links = await resolve(request)
    const g = await describe(request.kafka, request.params.group)
    return list('Consumer', `${links.cluster}${groupPath(g.groupId)}/consumers`, g.members.map((m) => consumer(links, g.groupId, m)))
  })

  app.get<{ Params: GroupParams }>('/v3/clusters/:cluster/consumer-groups/:group/lags', async (request) => {
    const links = await resolve(request)
    const g = await describe(request.kafka, request.params.group)
    const lags = await lagsOf(request.kafka, g)
    return list('ConsumerLag', `${links.cluster}${groupPath(g.groupId)}/lags`, lags.map((l) => ({
      ...resource(links, 'ConsumerLag', `${groupPath(g.groupId)}/lags/${encodeURIComponent(l.topic)}/partitions/${l.partition}`, `/consumer-group=${g.groupId}/lag=${l.topic}/partition=${l.partition}`),
      consumer_group_id: g.groupId,
      topic_name: l.topic,
      partition_id: l.partition,
      current_offset: l.current,
      log_end_offset: l.end,
      lag: l.lag,
      consumer_id: l.member?.memberId ?? '',
      instance_id: l.member?.groupInstanceId ?? null,
      client_id: l.member?.clientId ?? ''
    })))
  })

  app.get<{ Params: GroupParams }>('/v3/clusters/:cluster/consumer-groups/:group/lag-summary', async (request) => {
    const links = await resolve(request)
    const g = await describe(request.kafka, request.params.group)
    const lags = await lagsOf(request.kafka, g)
    const max = lags.reduce<Lag | undefined>((best, l) => best === undefined || l.lag > best.lag ? l : best, undefined)
    return {
      ...resource(links, 'ConsumerGroupLagSummary', `${groupPath(g.groupId)}/lag-summary`, `/consumer-group=${g.groupId}/lag-summary`),
      consumer_group_id: g.groupId,
      max_lag_consumer_id: max?.member?.memberId ?? '',
      max_lag_instance_id: max?.member?.groupInstanceId ?? null,
      max_lag_client_id: max?.member?.clientId ?? '',
      max_lag_topic_name: max?.topic ?? '',
      max_lag_partition_id: max?.partition ?? 0,
      max_lag: max?.lag ?? 0,
      total_lag: lags.reduce((n, l) => n + l.lag, 0),
      max_lag_partition: related(`${links.cluster}/topics/${encodeURIComponent(max?.topic ?? '')}/partitions/${max?.partition ?? 0}`)
    }
  })
}

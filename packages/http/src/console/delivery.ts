// The console's delivery view: the topics whose records are delayed (`delivery.delay.ms`) or may
// be scheduled (`delivery.schedule.enable`), from one DescribeConfigs for every topic. Against a
// cluster without these Brook configs the list is empty.
import type { FastifyInstance } from 'fastify'
import { ConfigResourceType } from '@brook/client'
import { describeConfigsApi, ErrorCode } from '@brook/protocol'
import { allMetadata } from './reads.js'

const KEYS = ['delivery.delay.ms', 'delivery.schedule.enable']

export function registerDelivery (app: FastifyInstance): void {
  app.get('/console/api/delivery', async (request) => {
    const admin = request.kafka.admin
    const meta = await allMetadata(admin)
    const names = [...meta.topics.values()].filter((t) => !t.isInternal).map((t) => t.name).sort()
    if (names.length === 0) return { topics: [] }
    const connection = await admin.cluster.any()
    const r = await connection.request(describeConfigsApi, {
      resources: names.map((name) => ({ resourceType: ConfigResourceType.Topic, resourceName: name, configurationKeys: KEYS })),
      includeSynonyms: false,
      includeDocumentation: false
    })
    const topics = r.results.filter((t) => t.errorCode === ErrorCode.NONE).map((t) => {
      const value = (name: string): string | null => t.configs.find((c) => c.name === name)?.value ?? null
      return { name: t.resourceName, delayMs: Number(value('delivery.delay.ms') ?? 0), scheduleEnabled: value('delivery.schedule.enable') === 'true', partitions: meta.topics.get(t.resourceName)?.partitions.length ?? 0 }
    }).filter((t) => t.delayMs > 0 || t.scheduleEnabled)
    return { topics }
  })
}

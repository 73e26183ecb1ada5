// Gauges computed when /metrics is scraped, from the broker's state: nothing on the request path
// keeps them up to date. The per-partition families (log size, segments, offsets: Kafka's Log
// metrics) are written as Prometheus text directly from one walk over the partitions: through
// prom-client's labelled gauges a scrape of 10,000 partitions (50,000 series) took seconds in
// label hashing and rendering. prom-client runs the collect() callbacks of one scrape in
// registration order, synchronously up to their first await, so the first gauge of a family
// takes a fresh snapshot and the others of that family read the same one.
import { Gauge, type Registry } from 'prom-client'
import type { GroupCoordinator } from '../group/coordinator.js'
import type { ReplicaManager } from '../partition/replica-manager.js'

/** The broker state the gauges read (read-only). */
export interface MetricsSource {
  readonly replicas: ReplicaManager
  readonly groups: GroupCoordinator | undefined
  /** Open client connections. */
  readonly connections: () => number
}

interface PartitionFacts {
  topic: string
  partition: string
  leader: boolean
  underReplicated: boolean
  sizeBytes: number
  segments: number
  logStartOffset: number
  logEndOffset: number
  highWatermark: number
}

interface PartitionLag { group: string, topic: string, partition: string, lag: number }

function partitionFacts (replicas: ReplicaManager): PartitionFacts[] {
  const out: PartitionFacts[] = []
  for (const topic of replicas.topics()) {
    topic.partitions.forEach((p, index) => {
      if (p === undefined) return
      const log = p.log
      const assigned = topic.cluster?.partitions[index]
      out.push({
        topic: topic.info.name,
        partition: String(index),
        leader: !p.replicated || p.isLeader,
        underReplicated: assigned !== undefined && p.isLeader && assigned.isr.length < assigned.replicas.length,
        sizeBytes: log.size,
        segments: log.segmentCount,
        logStartOffset: log.logStartOffset,
        logEndOffset: log.logEndOffset,
        highWatermark: log.highWatermark
      })
    })
  }
  return out
}

/** Every group's committed offsets against the high watermark of the partitions this broker leads. */
async function groupLags (source: MetricsSource): Promise<PartitionLag[]> {
  const groups = source.groups
  if (groups === undefined) return []
  const listed = groups.listGroups().groups
  if (listed.length === 0) return []
  const fetched = await groups.fetchOffsets(listed.map((g) => ({ groupId: g.groupId, topics: null })))
  const out: PartitionLag[] = []
  for (const g of fetched) {
    for (const t of g.topics) {
      for (const p of t.partitions) {
        const partition = source.replicas.partition(t.name, p.partitionIndex)
        if (p.committedOffset < 0n || partition === undefined || (partition.replicated && !partition.isLeader)) continue
        const lag = partition.log.highWatermark - Number(p.committedOffset)
        out.push({ group: g.groupId, topic: t.name, partition: String(p.partitionIndex), lag: Math.max(0, lag) })
      }
    }
  }
  return out
}

const PARTITION_FAMILIES: ReadonlyArray<{ name: string, help: string, value: (p: PartitionFacts) => number }> = [
  { name: 'brook_log_size_bytes', help: 'Bytes of a partition log on disk (all segments)', value: (p) => p.sizeBytes },
  { name: 'brook_log_segments', help: 'Segments of a partition log', value: (p) => p.segments },
  { name: 'brook_log_start_offset', help: 'First offset of a partition log', value: (p) => p.logStartOffset },
  { name: 'brook_log_end_offset', help: 'Offset the next appended record of a partition gets', value: (p) => p.logEndOffset },
  { name: 'brook_partition_high_watermark', help: 'High watermark of a partition (what consumers can read up to)', value: (p) => p.highWatermark }
]

/** Label values in the text format: backslash, double quote and newline escaped. */
function labelValue (value: string): string {
  return /["\\\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value
}

/** The per-partition families as Prometheus text (0.0.4), from one snapshot of the partitions. */
export function renderPartitionFamilies (partitions: readonly PartitionFacts[]): string {
  const labels = partitions.map((p) => `{topic="${labelValue(p.topic)}",partition="${p.partition}"} `)
  const parts: string[] = []
  for (const family of PARTITION_FAMILIES) {
    parts.push(`# HELP ${family.name} ${family.help}\n# TYPE ${family.name} gauge\n`)
    const lines = new Array<string>(partitions.length)
    for (let i = 0; i < partitions.length; i++) lines[i] = family.name + (labels[i] as string) + String(family.value(partitions[i] as PartitionFacts))
    if (lines.length > 0) parts.push(lines.join('\n') + '\n')
  }
  return parts.join('')
}

/** Registers the state gauges; returns what renders the per-partition families (call it before the registry's metrics()). */
export function registerStateGauges (registry: Registry, source: MetricsSource): () => string {
  const registers = [registry]
  let partitions: PartitionFacts[] = []
  const renderPartitions = (): string => {
    partitions = partitionFacts(source.replicas)
    return renderPartitionFamilies(partitions)
  }
  const total = (name: string, help: string, count: (all: PartitionFacts[]) => number): void => {
    new Gauge({ name, help, registers, collect (this: Gauge) { this.set(count(partitions)) } })
  }
  total('brook_partitions', 'Partition replicas this broker hosts', (all) => all.length)
  total('brook_leader_partitions', 'Partitions this broker leads', (all) => all.filter((p) => p.leader).length)
  total('brook_under_replicated_partitions', 'Partitions this broker leads whose ISR is smaller than their replica set', (all) => all.filter((p) => p.underReplicated).length)
  new Gauge({
    name: 'brook_topics', help: 'Topics, internal ones included', registers,
    collect (this: Gauge) { this.set(source.replicas.topics().length) }
  })
  new Gauge({
    name: 'brook_connections', help: 'Open client connections', registers,
    collect (this: Gauge) { this.set(source.connections()) }
  })

  let lags: Promise<PartitionLag[]> = Promise.resolve([])
  new Gauge({
    name: 'brook_consumer_group_lag', help: 'Records between a group\'s committed offset and the partition\'s high watermark (partitions this broker leads)',
    labelNames: ['group', 'topic', 'partition'] as const, registers,
    async collect (this: Gauge<'group' | 'topic' | 'partition'>) {
      lags = groupLags(source)
      const found = await lags
      this.reset()
      for (const l of found) this.labels(l.group, l.topic, l.partition).set(l.lag)
    }
  })
  new Gauge({
    name: 'brook_consumer_group_lag_sum', help: 'Sum of a group\'s lag over the partitions this broker leads',
    labelNames: ['group'] as const, registers,
    async collect (this: Gauge<'group'>) {
      const found = await lags
      const sums = new Map<string, number>()
      for (const l of found) sums.set(l.group, (sums.get(l.group) ?? 0) + l.lag)
      this.reset()
      for (const [group, sum] of sums) this.labels(group).set(sum)
    }
  })
  return renderPartitions
}

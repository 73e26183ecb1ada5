// `brook cluster info|health`: who is in the cluster, and whether every partition has a leader
// and a full ISR; elect-leaders (cluster-elect.ts) and reassign (cluster-reassign.ts).
import type { Command } from 'commander'
import type { ConnectionFlags } from '../connection/client-options.js'
import { CommandFailed } from '../errors.js'
import { printFields, printJson, printTable } from '../output/output.js'
import { examples, type FormatFlags, withAdmin, withConnection, withFormat } from './common.js'
import { registerElectLeaders } from './cluster-elect.js'
import { registerReassign } from './cluster-reassign.js'

type Flags = ConnectionFlags & FormatFlags

export function registerCluster (cluster: Command): void {
  examples(withFormat(withConnection(cluster.command('info')
    .description('Cluster id, controller and brokers'))), [
    'brook cluster info',
    'brook cluster info -b kafka-1:9092 --format json'
  ]).action(async (flags: Flags) => {
    const info = await withAdmin(flags, async (admin) => await admin.describeCluster())
    if (flags.format === 'json') { printJson(info); return }
    printFields([['cluster id', info.clusterId], ['controller', info.controllerId]])
    process.stdout.write('\n')
    printTable(['id', 'host', 'port', 'rack'], info.brokers.sort((a, b) => a.nodeId - b.nodeId).map((b) => [`${b.nodeId}${b.nodeId === info.controllerId ? '*' : ''}`, b.host, b.port, b.rack]))
  })

  examples(withFormat(withConnection(cluster.command('health')
    .description('Exit 0 when every broker answers and every partition has a leader and a full ISR, 1 otherwise'))), [
    'brook cluster health',
    'brook cluster health --format json && echo healthy'
  ]).action(async (flags: Flags) => {
    const report = await withAdmin(flags, async (admin) => {
      const info = await admin.describeCluster()
      const unreachable: number[] = []
      for (const b of info.brokers) {
        try {
          await admin.cluster.broker(b.nodeId)
        } catch (err) {
          process.stderr.write(`broker ${b.nodeId} (${b.host}:${b.port}) unreachable: ${(err as Error).message}\n`)
          unreachable.push(b.nodeId)
        }
      }
      const names = await admin.listTopics({ includeInternal: true })
      const topics = names.length === 0 ? [] : await admin.describeTopics(names)
      const leaderless: string[] = []
      const underReplicated: string[] = []
      for (const t of topics) {
        for (const p of t.partitions) {
          if (p.leader < 0) leaderless.push(`${t.name}-${p.partition}`)
          if (p.isr.length < p.replicas.length) underReplicated.push(`${t.name}-${p.partition}`)
        }
      }
      return {
        healthy: unreachable.length === 0 && leaderless.length === 0 && underReplicated.length === 0,
        brokers: info.brokers.map((b) => b.nodeId).sort((a, b) => a - b),
        controllerId: info.controllerId,
        unreachableBrokers: unreachable,
        leaderlessPartitions: leaderless,
        underReplicatedPartitions: underReplicated
      }
    })
    if (flags.format === 'json') printJson(report)
    else {
      printFields([['healthy', report.healthy], ['brokers', report.brokers.join(',')], ['controller', report.controllerId],
        ['unreachable brokers', report.unreachableBrokers.join(',') || 'none'],
        ['leaderless partitions', report.leaderlessPartitions.join(',') || 'none'],
        ['under-replicated partitions', report.underReplicatedPartitions.join(',') || 'none']])
    }
    if (!report.healthy) throw new CommandFailed('the cluster is not healthy')
  })

  registerElectLeaders(cluster)
  registerReassign(cluster)
}

// Shared steps of the share group tests: a topic filled with numbered messages, a share group
// that starts at the earliest offset (share.auto.offset.reset is a group config), and waiting for
// conditions over what the consumers printed.
import { Client, type ConfigResourceType } from '@brook/client'
import { waitFor } from '@brook/testkit'

/** Kafka's GROUP config resource type (the client's enum names only topics and brokers). */
const GROUP_RESOURCE = 32 as ConfigResourceType

export const SHARE_BROKER_CONFIG: Record<string, string> = {
  'offsets.topic.num.partitions': '2',
  'share.coordinator.state.topic.num.partitions': '2',
  'group.share.min.record.lock.duration.ms': '1000',
  'group.share.record.lock.duration.ms': '4000',
  'group.share.min.heartbeat.interval.ms': '500',
  'group.share.heartbeat.interval.ms': '500',
  'group.share.min.session.timeout.ms': '6000',
  'group.share.session.timeout.ms': '6000'
}

/** Sets share group configs (GROUP resource), share.auto.offset.reset=earliest among them. */
export async function alterGroupConfigs (bootstrap: string, group: string, configs: Record<string, string>): Promise<void> {
  const admin = new Client({ brokers: [bootstrap] }).admin()
  try {
    await admin.alterConfigs({ type: GROUP_RESOURCE, name: group }, Object.entries({ 'share.auto.offset.reset': 'earliest', ...configs }).map(([name, value]) => ({ name, value })))
  } finally {
    await admin.close()
  }
}

export async function prepareQueue (bootstrap: string, topic: string, group: string, count: number, groupConfigs: Record<string, string> = {}): Promise<void> {
  const client = new Client({ brokers: [bootstrap] })
  const admin = client.admin()
  const producer = client.producer()
  try {
    await admin.createTopics([{ topic, numPartitions: 1 }])
    await admin.alterConfigs({ type: GROUP_RESOURCE, name: group }, [
      { name: 'share.auto.offset.reset', value: 'earliest' },
      ...Object.entries(groupConfigs).map(([name, value]) => ({ name, value }))
    ])
    const chunk = 1000
    for (let i = 0; i < count; i += chunk) {
      await producer.send({ topic, messages: Array.from({ length: Math.min(chunk, count - i) }, (_, j) => ({ value: `m${i + j}` })) })
    }
  } finally {
    await producer.close()
    await admin.close()
  }
}

export async function until (what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  await waitFor(condition, timeoutMs, { message: what, intervalMs: 100 })
}

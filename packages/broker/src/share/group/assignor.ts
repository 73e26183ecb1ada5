// Server-side assignment of a share group (Kafka's SimpleAssignor idea): every partition of a
// subscribed topic goes to at least one subscriber, and, since records (not partitions) are what a
// share group hands out, a partition may go to several members. With at least as many partitions
// as subscribers, partitions are dealt round-robin; with more subscribers than partitions, the
// subscribers are dealt round-robin over the partitions (three members on one partition all read it).

export interface AssignableTopic {
  id: string
  name: string
  partitions: number
}

export interface Subscriber {
  memberId: string
  topics: readonly string[]
}

/** memberId -> topicId -> sorted partitions. Deterministic: members and topics are sorted first. */
export function assignShareGroup (members: readonly Subscriber[], topicByName: (name: string) => AssignableTopic | undefined): Map<string, Map<string, number[]>> {
  const out = new Map<string, Map<string, number[]>>(members.map((m) => [m.memberId, new Map()]))
  const names = [...new Set(members.flatMap((m) => m.topics))].sort()
  for (const name of names) {
    const topic = topicByName(name)
    if (topic === undefined || topic.partitions === 0) continue
    const subscribers = members.filter((m) => m.topics.includes(name)).map((m) => m.memberId).sort()
    const give = (memberId: string, partition: number): void => {
      const byTopic = out.get(memberId) as Map<string, number[]>
      let list = byTopic.get(topic.id)
      if (list === undefined) byTopic.set(topic.id, list = [])
      if (!list.includes(partition)) list.push(partition)
    }
    if (subscribers.length <= topic.partitions) {
      for (let p = 0; p < topic.partitions; p++) give(subscribers[p % subscribers.length] as string, p)
    } else {
      subscribers.forEach((memberId, i) => { give(memberId, i % topic.partitions) })
    }
  }
  for (const byTopic of out.values()) for (const list of byTopic.values()) list.sort((a, b) => a - b)
  return out
}

/** A stable text of one member's assignment, to tell whether it changed. */
export function assignmentKey (assignment: ReadonlyMap<string, readonly number[]>): string {
  return [...assignment].sort(([a], [b]) => a.localeCompare(b)).map(([t, ps]) => `${t}:${ps.join(',')}`).join(';')
}

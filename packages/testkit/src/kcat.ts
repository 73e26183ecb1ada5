// kcat (librdkafka) as a reference client: read a whole topic without a consumer group.
import { assertSucceeded, runKcat } from './run-command.js'

/** One message as kcat -J prints it. */
export interface KcatMessage {
  topic: string
  partition: number
  offset: number
  tstype: string
  ts: number
  headers: string[] | null
  key: string | null
  payload: string | null
}

/** Reads every partition of `topic` from the beginning to its end (-e), as JSON envelopes. */
export async function kcatConsumeAll (bootstrap: string, topic: string, timeoutMs = 30_000): Promise<KcatMessage[]> {
  const result = assertSucceeded('kcat -C', await runKcat(
    ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-J', '-q', '-m', '10'],
    { timeoutMs }
  ))
  const messages: KcatMessage[] = []
  for (const line of result.stdout.toString('utf8').split('\n')) {
    if (line.trim() === '') continue
    messages.push(JSON.parse(line) as KcatMessage)
  }
  return messages
}

/** Groups messages by partition, each list in offset order. */
export function byPartition<T extends { partition: number, offset: number }> (messages: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>()
  for (const m of messages) {
    const list = out.get(m.partition) ?? []
    list.push(m)
    out.set(m.partition, list)
  }
  for (const list of out.values()) list.sort((a, b) => a.offset - b.offset)
  return out
}

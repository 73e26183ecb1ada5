// The topic table, persisted as one small JSON file `brook-topics.json` in the first log dir:
//   { "version": 1,
//     "topics": [ { "name": "orders", "id": "<uuid 8-4-4-4-12>", "partitions": 3,
//                   "configs": { "retention.ms": "60000" } } ] }
// `configs` holds only the topic's overrides. The whole file is rewritten atomically on every
// change (temp + fsync + rename + dir fsync, writeFileAtomic from @brook/metadata), so it is always the old or the new
// table. Recovery rule: a missing file is an empty table; a file that does not parse stops the
// broker (never silently forget topics); a leftover `.tmp` is an unfinished write, ignored.
import { join } from 'node:path'
import { SerialQueue } from '@brook/common'
import { readFileIfExists, writeFileAtomic } from '@brook/metadata'

export const TOPICS_FILE = 'brook-topics.json'
const FORMAT_VERSION = 1

export interface TopicInfo {
  readonly name: string
  readonly id: string
  readonly partitions: number
  readonly configs: Readonly<Record<string, string>>
}

function isTopicInfo (value: unknown): value is TopicInfo {
  if (typeof value !== 'object' || value === null) return false
  const t = value as Record<string, unknown>
  return typeof t.name === 'string' && typeof t.id === 'string' && Number.isInteger(t.partitions) &&
    typeof t.configs === 'object' && t.configs !== null &&
    Object.values(t.configs).every((v) => typeof v === 'string')
}

export class TopicStore {
  readonly path: string
  // Writes are chained so that the file always ends with the latest snapshot.
  private readonly writing = new SerialQueue()

  constructor (dir: string) {
    this.path = join(dir, TOPICS_FILE)
  }

  async load (): Promise<TopicInfo[]> {
    const text = await readFileIfExists(this.path)
    if (text === null) return []
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (err) {
      throw new Error(`BROOK_BAD_TOPICS_FILE: ${this.path} does not parse`, { cause: err })
    }
    const file = parsed as { version?: unknown, topics?: unknown }
    if (file.version !== FORMAT_VERSION || !Array.isArray(file.topics) || !file.topics.every(isTopicInfo)) {
      throw new Error(`BROOK_BAD_TOPICS_FILE: ${this.path} is not a version ${FORMAT_VERSION} topic table`)
    }
    return file.topics
  }

  /** Persists the whole table; resolves once it is durable. */
  async save (topics: readonly TopicInfo[]): Promise<void> {
    const text = JSON.stringify({ version: FORMAT_VERSION, topics }, null, 2) + '\n'
    await this.writing.run(async () => await writeFileAtomic(this.path, text))
  }
}

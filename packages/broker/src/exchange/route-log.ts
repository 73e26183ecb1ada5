// The routing position of one exchange partition, kept durably as JSON lines in the router's
// directory (one file per exchange partition): a header naming the topic id (a topic deleted and
// created again starts over), then per routing step an intent (the offsets [from, to), the
// exchange configs it routed with, and each destination append: topic, partition, base
// sequence, count) written before the appends, and a done line after them. The position is the
// last done line's `to`; an intent without a done line is replayed after a restart with its own
// sequences and configs, so an append that landed is not made twice.
import type { FileSystem } from '@brook/storage'
import { forEachLine, LineFile } from '../delivery/line-file.js'
import type { TopicOverrides } from '../config/topic-config.js'

export interface RouteAppend { topic: string, partition: number, baseSequence: number, count: number }
export interface RouteIntent { from: number, to: number, configs: TopicOverrides, appends: RouteAppend[] }

type Line =
  | { k: 'h', id: string }
  | { k: 'i', from: number, to: number, c: TopicOverrides, a: Array<[string, number, number, number]> }
  | { k: 'd', to: number }

/** Past this many lines the file is rewritten with only its header and position. */
const COMPACT_LINES = 20_000

export class RouteLog {
  #lines: number
  private constructor (private readonly fs: FileSystem, private readonly path: string, private readonly topicId: string,
    private file: LineFile, lines: number, public position: number, public pending: RouteIntent | null) {
    this.#lines = lines
  }

  static async open (fs: FileSystem, dir: string, topic: string, partition: number, topicId: string): Promise<RouteLog> {
    const path = `${dir}/${topic}-${partition}.route`
    let id: string | null = null
    let position = 0
    let pending: RouteIntent | null = null
    let lines = 0
    await forEachLine(fs, path, (text) => {
      lines++
      let line: Line
      try {
        line = JSON.parse(text) as Line
      } catch {
        // Only the last line can be torn (never acknowledged): skipped.
        return
      }
      if (line.k === 'h') id = line.id
      else if (line.k === 'd') { position = line.to; pending = null }
      else if (line.k === 'i') pending = { from: line.from, to: line.to, configs: line.c, appends: line.a.map(([t, p, s, n]) => ({ topic: t, partition: p, baseSequence: s, count: n })) }
    })
    if (id !== topicId) {
      // A new topic of the same name (or a new file): routing starts at its beginning.
      const file = await rewrite(fs, path, topicId, 0)
      return new RouteLog(fs, path, topicId, file, 2, 0, null)
    }
    const file = await LineFile.open(fs, path)
    return new RouteLog(fs, path, topicId, file, lines, position, pending)
  }

  async intent (intent: RouteIntent): Promise<void> {
    const line: Line = { k: 'i', from: intent.from, to: intent.to, c: intent.configs, a: intent.appends.map((a) => [a.topic, a.partition, a.baseSequence, a.count]) }
    await this.file.append([JSON.stringify(line)], false)
    this.pending = intent
    this.#lines++
  }

  async done (to: number): Promise<void> {
    await this.file.append([JSON.stringify({ k: 'd', to } satisfies Line)], false)
    this.position = to
    this.pending = null
    if (++this.#lines >= COMPACT_LINES) {
      await this.file.close()
      this.file = await rewrite(this.fs, this.path, this.topicId, to)
      this.#lines = 2
    }
  }

  async close (): Promise<void> {
    await this.file.close()
  }
}

async function rewrite (fs: FileSystem, path: string, topicId: string, position: number): Promise<LineFile> {
  // A temporary file left by a crash mid-rewrite is stale: start it afresh.
  await fs.rm(`${path}.tmp`)
  const tmp = await LineFile.open(fs, `${path}.tmp`)
  await tmp.append([JSON.stringify({ k: 'h', id: topicId } satisfies Line), JSON.stringify({ k: 'd', to: position } satisfies Line)], true)
  await tmp.close()
  await fs.rename(`${path}.tmp`, path)
  return await LineFile.open(fs, path)
}

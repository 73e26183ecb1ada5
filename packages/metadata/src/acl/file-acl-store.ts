// The embedded AclStore: one JSON file in the broker's first log dir, replaced atomically on
// every change (temp file, fsync, rename, directory fsync), so after a crash it holds the old or
// the new set. Changes run one at a time. Format: {version:1, acls:[binding...]}.
import { join } from 'node:path'
import { SerialQueue } from '@brook/common'
import { readFileIfExists, writeFileAtomic } from '../records/atomic-file.js'
import { type AclBinding, aclKey, parseBinding } from './acl-binding.js'
import type { AclListener, AclStore } from './acl-store.js'

export const ACL_FILE = 'brook-acls.json'

export class FileAclStore implements AclStore {
  private bindings = new Map<string, AclBinding>()
  private readonly listeners = new Set<AclListener>()
  private readonly writes = new SerialQueue()
  private readonly path: string

  private constructor (dir: string) {
    this.path = join(dir, ACL_FILE)
  }

  static async open (dir: string): Promise<FileAclStore> {
    const store = new FileAclStore(dir)
    const text = await readFileIfExists(store.path)
    if (text !== null) {
      for (const b of parseFile(store.path, text)) store.bindings.set(aclKey(b), b)
    }
    return store
  }

  list (): readonly AclBinding[] {
    return [...this.bindings.values()]
  }

  async create (bindings: readonly AclBinding[]): Promise<void> {
    await this.change((next) => {
      for (const b of bindings) if (!next.has(aclKey(b))) next.set(aclKey(b), b)
      return []
    })
  }

  async remove (bindings: readonly AclBinding[]): Promise<AclBinding[]> {
    return await this.change((next) => {
      const removed: AclBinding[] = []
      for (const b of bindings) {
        const existing = next.get(aclKey(b))
        if (existing !== undefined && next.delete(aclKey(b))) removed.push(existing)
      }
      return removed
    })
  }

  subscribe (listener: AclListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  async close (): Promise<void> {
    await this.writes.run(async () => {})
    this.listeners.clear()
  }

  private async change (edit: (next: Map<string, AclBinding>) => AclBinding[]): Promise<AclBinding[]> {
    return await this.writes.run(async () => {
      const next = new Map(this.bindings)
      const result = edit(next)
      if (next.size !== this.bindings.size || result.length > 0) {
        await writeFileAtomic(this.path, JSON.stringify({ version: 1, acls: [...next.values()] }, null, 2))
        this.bindings = next
        const all = this.list()
        for (const listener of this.listeners) listener(all)
      }
      return result
    })
  }
}

function parseFile (path: string, text: string): AclBinding[] {
  let file: unknown
  try {
    file = JSON.parse(text)
  } catch (err) {
    throw new Error(`BROOK_ACL_FILE: ${path} is not valid JSON: ${(err as Error).message}`)
  }
  const acls = (file as { version?: unknown, acls?: unknown }).acls
  if ((file as { version?: unknown }).version !== 1 || !Array.isArray(acls)) throw new Error(`BROOK_ACL_FILE: ${path} has an unknown format`)
  const out: AclBinding[] = []
  for (const entry of acls) {
    const b = parseBinding(entry)
    if (b === null) throw new Error(`BROOK_ACL_FILE: ${path} holds an invalid binding ${JSON.stringify(entry)}`)
    out.push(b)
  }
  return out
}

// meta.properties in each log directory, in Kafka's KRaft format (version 1):
//   #
//   #<date written>
//   cluster.id=<22-char Uuid>
//   directory.id=<22-char Uuid>
//   node.id=<int>
//   version=1
// Written atomically (writeFileAtomic from @brook/metadata) the first time a directory is used. Recovery rule: a
// directory without the file is new and gets one; directories that disagree on cluster.id, or
// a node.id different from the configured one, stop the broker at start (as Kafka does).
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseProperties } from '../config/properties.js'
import { readFileIfExists, writeFileAtomic } from '@brook/metadata'
import { randomBase64Uuid } from './uuid.js'

const META_PROPERTIES = 'meta.properties'
/** Node id when neither node.id nor broker.id is configured and no directory records one. */
const DEFAULT_NODE_ID = 1

export interface MetaProperties {
  clusterId: string
  nodeId: number
}

interface DirMeta {
  dir: string
  clusterId: string
  nodeId: number
  directoryId: string
}

async function readDirMeta (dir: string): Promise<DirMeta | null> {
  const text = await readFileIfExists(join(dir, META_PROPERTIES))
  if (text === null) return null
  const props = parseProperties(text)
  const clusterId = props['cluster.id']
  const nodeId = Number(props['node.id'] ?? props['broker.id'])
  if (clusterId === undefined || !Number.isInteger(nodeId)) {
    throw new Error(`BROOK_BAD_META_PROPERTIES: ${join(dir, META_PROPERTIES)} lacks cluster.id or node.id`)
  }
  return { dir, clusterId, nodeId, directoryId: props['directory.id'] ?? randomBase64Uuid() }
}

function format (meta: DirMeta): string {
  return `#\n#${new Date().toString()}\ncluster.id=${meta.clusterId}\ndirectory.id=${meta.directoryId}\n` +
    `node.id=${meta.nodeId}\nversion=1\n`
}

/** Reads (or creates) meta.properties in every log dir and checks that they agree. */
export async function loadMetaProperties (logDirs: readonly string[], configuredNodeId: number | null): Promise<MetaProperties> {
  const found: DirMeta[] = []
  for (const dir of logDirs) {
    await mkdir(dir, { recursive: true })
    const meta = await readDirMeta(dir)
    if (meta !== null) found.push(meta)
  }
  const first = found[0]
  for (const meta of found) {
    if (first !== undefined && meta.clusterId !== first.clusterId) {
      throw new Error(`BROOK_CLUSTER_ID_MISMATCH: ${meta.dir} belongs to cluster ${meta.clusterId}, ${first.dir} to ${first.clusterId}`)
    }
    if (configuredNodeId !== null && meta.nodeId !== configuredNodeId) {
      throw new Error(`BROOK_NODE_ID_MISMATCH: stored node id ${meta.nodeId} in ${meta.dir} does not match configured node.id ${configuredNodeId}`)
    }
  }
  const clusterId = first?.clusterId ?? randomBase64Uuid()
  const nodeId = configuredNodeId ?? first?.nodeId ?? DEFAULT_NODE_ID
  for (const dir of logDirs) {
    if (found.some((m) => m.dir === dir)) continue
    await writeFileAtomic(join(dir, META_PROPERTIES), format({ dir, clusterId, nodeId, directoryId: randomBase64Uuid() }))
  }
  return { clusterId, nodeId }
}

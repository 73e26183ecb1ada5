// Checks of requests before anything is written, with Kafka's error for each.
import { randomUUID } from 'node:crypto'
import type { TopicCreation } from '../cluster-metadata.js'
import { MetadataError } from '../errors.js'

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

export function checkTopicName (name: string): void {
  if (name === '' || name === '.' || name === '..' || name.length > 249 || !LEGAL_TOPIC.test(name)) {
    throw new MetadataError('INVALID_TOPIC_EXCEPTION', `illegal topic name ${JSON.stringify(name)}`)
  }
}

/** A random topic id whose base64 form does not start with '-' (Kafka's rule for printed ids). */
export function randomTopicId (): string {
  for (;;) {
    const id = randomUUID()
    const firstByte = parseInt(id.slice(0, 2), 16)
    if ((firstByte >> 2) !== 62) return id
  }
}

export function checkTopicCreation (t: TopicCreation): string {
  checkTopicName(t.name)
  if (t.id !== undefined && (!CANONICAL_UUID.test(t.id) || t.id === ZERO_UUID)) {
    throw new MetadataError('INVALID_REQUEST', `topic id ${JSON.stringify(t.id)} is not a canonical non-zero UUID`)
  }
  if (t.replicas.length === 0) throw new MetadataError('INVALID_PARTITIONS', 'a topic needs at least one partition')
  checkReplicas(t.replicas)
  for (const [k, v] of Object.entries(t.configs ?? {})) {
    if (typeof v !== 'string') throw new MetadataError('INVALID_REQUEST', `config ${k} must be a string`)
  }
  return t.id ?? randomTopicId()
}

/** Each partition's replicas: a non-empty list of distinct broker ids. */
export function checkReplicas (assignment: ReadonlyArray<readonly number[]>): void {
  assignment.forEach((replicas, p) => {
    if (replicas.length === 0 || !replicas.every((r) => Number.isSafeInteger(r) && r >= 0) ||
        new Set(replicas).size !== replicas.length) {
      throw new MetadataError('INVALID_REPLICA_ASSIGNMENT', `partition ${p}: replicas must be distinct broker ids, got ${JSON.stringify(replicas)}`)
    }
  })
}

export function checkBrokerList (what: string, ids: readonly number[], allowed: readonly number[]): void {
  if (!ids.every((r) => Number.isSafeInteger(r)) || new Set(ids).size !== ids.length) {
    throw new MetadataError('INVALID_REQUEST', `${what} must be distinct broker ids, got ${JSON.stringify(ids)}`)
  }
  const outside = ids.filter((r) => !allowed.includes(r))
  if (outside.length > 0) {
    throw new MetadataError('INVALID_REQUEST', `${what} ${JSON.stringify(outside)} not among the replicas ${JSON.stringify(allowed)}`)
  }
}

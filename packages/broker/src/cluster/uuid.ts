// Kafka's Uuid: 16 random bytes. Never hand out the all-zero id (it means "no id"), the reserved
// id 1, or an id whose base64 text starts with '-' (it reads as a CLI flag), as Kafka does.
// cluster.id and directory.id are written as Kafka writes them (URL-safe base64, no padding, 22
// characters); topic ids travel in the protocol package's form (canonical 8-4-4-4-12 hex).
import { randomBytes } from 'node:crypto'
import { uuidFromBytes } from '@brook/protocol'

function randomIdBytes (): Buffer {
  for (;;) {
    const bytes = randomBytes(16)
    const zeroHigh = bytes.readBigUInt64BE(0) === 0n
    const low = bytes.readBigUInt64BE(8)
    if (zeroHigh && (low === 0n || low === 1n)) continue
    if (bytes.toString('base64url').startsWith('-')) continue
    return bytes
  }
}

/** A Kafka Uuid as Kafka prints it (cluster.id, directory.id). */
export function randomBase64Uuid (): string {
  return randomIdBytes().toString('base64url')
}

/** A new topic id, in the protocol package's string form. */
export function randomTopicId (): string {
  return uuidFromBytes(randomIdBytes(), 0)
}

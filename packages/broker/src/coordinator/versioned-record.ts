// The key and value layout of every coordinator record (`__consumer_offsets`,
// `__transaction_state`), as Kafka writes them: int16 schema version, then the internal-record
// schema encoded at that version by the protocol package's generic codec.
import { Writer, encodeMessage, type MessageSchema } from '@brook/protocol'

export function encodeVersioned<T> (schema: MessageSchema<T>, version: number, value: T): Buffer {
  const w = new Writer(1024)
  w.writeInt16(version)
  encodeMessage(schema, version, value, w)
  // The writer's slab is reused for later messages: keep a copy the log can hold on to.
  return Buffer.from(w.toBuffer())
}

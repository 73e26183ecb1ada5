// Kafka's default partitioner hash for keyed records (Java client Utils.murmur2): MurmurHash2,
// 32-bit, seed 0x9747b28c, 4-byte little-endian blocks, then the 1-3 tail bytes, then the final
// mix. partition = (murmur2(key) & 0x7fffffff) % numPartitions. Every Kafka client that wants
// the same key -> partition mapping as Java's must compute exactly this.

const SEED = 0x9747b28c
const M = 0x5bd1e995

/** MurmurHash2 of the bytes as a signed 32-bit integer (Java's int result). */
export function murmur2 (data: Uint8Array): number {
  const length = data.length
  let h = (SEED ^ length) | 0
  const blocks = length & ~3
  for (let i = 0; i < blocks; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  const tail = length & 3
  if (tail === 3) h ^= data[blocks + 2]! << 16
  if (tail >= 2) h ^= data[blocks + 1]! << 8
  if (tail >= 1) {
    h ^= data[blocks]!
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Java's Utils.toPositive: clears the sign bit (not Math.abs). */
export function toPositive (n: number): number {
  return n & 0x7fffffff
}

/** The partition Kafka's default partitioner picks for a non-null key. */
export function partitionForKey (key: Uint8Array | string, numPartitions: number): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key
  return toPositive(murmur2(bytes)) % numPartitions
}

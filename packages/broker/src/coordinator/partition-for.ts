// Which partition of a coordinator topic owns a key (a group in `__consumer_offsets`, a
// transactional id in `__transaction_state`): Kafka's
//   Utils.abs(key.hashCode()) % number of partitions
// with Java's String.hashCode (s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, int32
// wrap-around) and Utils.abs (Integer.MIN_VALUE -> 0). Matching Kafka keeps a Brook log readable
// with Kafka's tools and lets the same group land on the same partition after a migration.

export function javaStringHashCode (s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0
  return h
}

/** Kafka's Utils.abs: like Math.abs, except that Integer.MIN_VALUE maps to 0. */
export function kafkaAbs (n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n)
}

export function partitionFor (groupId: string, numPartitions: number): number {
  return kafkaAbs(javaStringHashCode(groupId)) % numPartitions
}

// Authorized-operation bit sets for Metadata / DescribeCluster / DescribeTopicPartitions.
// Brook has no authorizer: every client may do everything a topic or cluster supports.
// Bits are Kafka's AclOperation codes: 1 << code.
const op = { CREATE: 5, READ: 3, WRITE: 4, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12 }

const bits = (...codes: number[]): number => codes.reduce((acc, c) => acc | (1 << c), 0)

/** What the response carries when the client did not ask (Kafka: Integer.MIN_VALUE). */
export const OPERATIONS_NOT_REQUESTED = -2147483648

export const TOPIC_OPERATIONS = bits(op.READ, op.WRITE, op.CREATE, op.DELETE, op.ALTER, op.DESCRIBE, op.DESCRIBE_CONFIGS, op.ALTER_CONFIGS)

export const CLUSTER_OPERATIONS = bits(op.CREATE, op.ALTER, op.DESCRIBE, op.CLUSTER_ACTION, op.DESCRIBE_CONFIGS, op.ALTER_CONFIGS, op.IDEMPOTENT_WRITE)

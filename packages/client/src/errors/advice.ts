// What to do about an error code, appended to every KafkaError message. Codes not listed get a
// generic sentence that depends on whether the client retries them.
import { ErrorCode as E } from '@brook/protocol'

const advice = new Map<number, string>([
  [E.UNKNOWN_SERVER_ERROR, 'the broker failed unexpectedly; check its log'],
  [E.OFFSET_OUT_OF_RANGE, 'the offset is outside the log; seek to a valid offset or set autoOffsetReset'],
  [E.CORRUPT_MESSAGE, 'the batch failed its CRC check; the client resends it'],
  [E.UNKNOWN_TOPIC_OR_PARTITION, 'create the topic first, or check its name and partition count'],
  [E.LEADER_NOT_AVAILABLE, 'a leader election is under way; the client refreshes metadata and retries'],
  [E.NOT_LEADER_OR_FOLLOWER, 'leadership moved; the client refreshes metadata and retries'],
  [E.REQUEST_TIMED_OUT, 'the broker did not finish in time; raise the timeout or check broker load'],
  [E.MESSAGE_TOO_LARGE, 'the batch exceeds max.message.bytes; send smaller records or raise the topic config'],
  [E.RECORD_LIST_TOO_LARGE, 'the request is too large; lower batchSize'],
  [E.NOT_ENOUGH_REPLICAS, 'fewer in-sync replicas than min.insync.replicas; wait for replicas or use acks=1'],
  [E.COORDINATOR_LOAD_IN_PROGRESS, 'the coordinator is loading its state; the client retries'],
  [E.COORDINATOR_NOT_AVAILABLE, 'no coordinator yet; the client looks it up again and retries'],
  [E.NOT_COORDINATOR, 'the coordinator moved; the client looks it up again and retries'],
  [E.INVALID_TOPIC_EXCEPTION, 'topic names use only [a-zA-Z0-9._-], at most 249 characters'],
  [E.INVALID_REQUIRED_ACKS, 'acks must be 0, 1 or -1 (all)'],
  [E.ILLEGAL_GENERATION, 'the group rebalanced; the consumer rejoins'],
  [E.INCONSISTENT_GROUP_PROTOCOL, 'members of this group use assignors with no name in common; configure a shared assignor'],
  [E.UNKNOWN_MEMBER_ID, 'the group forgot this member (session timeout?); the consumer rejoins'],
  [E.INVALID_SESSION_TIMEOUT, 'sessionTimeoutMs is outside the broker\'s group.min/max.session.timeout.ms'],
  [E.REBALANCE_IN_PROGRESS, 'the group is rebalancing; the consumer rejoins'],
  [E.TOPIC_AUTHORIZATION_FAILED, 'the principal lacks an ACL on this topic'],
  [E.GROUP_AUTHORIZATION_FAILED, 'the principal lacks an ACL on this group'],
  [E.CLUSTER_AUTHORIZATION_FAILED, 'the principal lacks a cluster ACL'],
  [E.UNSUPPORTED_SASL_MECHANISM, 'pick a SASL mechanism the broker lists in sasl.enabled.mechanisms'],
  [E.UNSUPPORTED_VERSION, 'the broker does not speak this request version; upgrade the broker or the client'],
  [E.TOPIC_ALREADY_EXISTS, 'the topic exists already; describe it instead'],
  [E.INVALID_PARTITIONS, 'the partition count must be positive (and larger than the current count to add)'],
  [E.INVALID_REPLICATION_FACTOR, 'the replication factor must be positive and at most the broker count'],
  [E.INVALID_CONFIG, 'a config name or value is not valid for this resource'],
  [E.OUT_OF_ORDER_SEQUENCE_NUMBER, 'the broker saw a gap in the producer\'s sequence; records may have been lost; recreate the producer'],
  [E.DUPLICATE_SEQUENCE_NUMBER, 'the broker already has this batch'],
  [E.INVALID_PRODUCER_EPOCH, 'another producer with the same transactionalId fenced this one; close it'],
  [E.INVALID_TXN_STATE, 'the transactional call is not valid in the transaction\'s current state'],
  [E.INVALID_PRODUCER_ID_MAPPING, 'the transactionalId is unknown to the coordinator; call initTransactions again'],
  [E.CONCURRENT_TRANSACTIONS, 'a previous transaction is still completing; the client retries'],
  [E.PRODUCER_FENCED, 'another producer with the same transactionalId took over; close this one'],
  [E.UNKNOWN_PRODUCER_ID, 'the broker no longer knows this producer id; recreate the producer'],
  [E.GROUP_ID_NOT_FOUND, 'no such group'],
  [E.NON_EMPTY_GROUP, 'the group still has members; stop its consumers first'],
  [E.MEMBER_ID_REQUIRED, 'the consumer rejoins with the member id the broker assigned'],
  [E.FENCED_INSTANCE_ID, 'another consumer uses the same groupInstanceId'],
  [E.OFFSET_NOT_AVAILABLE, 'the leader has no offset yet (election under way); the client retries'],
  [E.GROUP_MAX_SIZE_REACHED, 'the group is full (group.max.size)']
])

export function adviceFor (code: number, retriable: boolean): string {
  return advice.get(code) ?? (retriable ? 'a transient condition; the client retries' : 'not retriable; check the request and the broker log')
}

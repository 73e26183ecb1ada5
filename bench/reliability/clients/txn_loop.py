#!/usr/bin/python3
# librdkafka (confluent_kafka) transactional consume-transform-produce loop for the crash
# campaign: reads <in> with group <group> (read_committed), writes "<attempt>:<input value>" to
# the same partition of <out> and the consumed positions in one transaction; about one attempt in
# ABORT_RATIO is aborted on purpose. Prints, per attempt:
#   C <attempt> <count>   committed (commit_transaction returned)
#   X <attempt> <count>   aborted (abort_transaction returned)
#   U <attempt> <count>   outcome unknown (the broker died mid-commit; the producer was rebuilt)
# After an abort or unknown outcome the consumer goes back to the group's committed offsets.
# Usage: txn_loop.py <bootstrap> <in> <out> <group> <txn-id> <seed> <abort-ratio>
import random
import signal
import sys

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

bootstrap, src, out, group, txn_id = sys.argv[1:6]
rng = random.Random(int(sys.argv[6]))
abort_ratio = float(sys.argv[7])
stopping = False


def on_term(_signum, _frame):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, on_term)

consumer = Consumer({
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'isolation.level': 'read_committed',
    'enable.auto.commit': False,
    'auto.offset.reset': 'earliest',
    'reconnect.backoff.max.ms': 500,
})
consumer.subscribe([src])


def new_producer():
    while not stopping:
        p = Producer({
            'bootstrap.servers': bootstrap,
            'transactional.id': txn_id,
            'transaction.timeout.ms': 60000,
            'reconnect.backoff.max.ms': 500,
        })
        try:
            p.init_transactions(30)
            return p
        except KafkaException as e:
            print(f'# init_transactions: {e}', flush=True)
    return None


def rewind():
    """Back to the group's committed offsets (what the last committed transaction stored)."""
    while not stopping:
        try:
            assigned = consumer.assignment()
            if not assigned:
                return
            for tp in consumer.committed(assigned, 10):
                if tp.offset >= 0:
                    consumer.seek(tp)
                else:
                    consumer.seek(TopicPartition(tp.topic, tp.partition, -2))  # beginning
            return
        except KafkaException as e:
            print(f'# rewind: {e}', flush=True)


producer = new_producer()
attempt = 0
while not stopping and producer is not None:
    msgs = [m for m in consumer.consume(200, 0.5) if m.error() is None]
    if not msgs:
        continue
    attempt += 1
    try:
        producer.begin_transaction()
        for m in msgs:
            producer.produce(out, value=f'{attempt}:'.encode() + m.value(), partition=m.partition())
        producer.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 30)
        if rng.random() < abort_ratio:
            producer.abort_transaction(30)
            print(f'X {attempt} {len(msgs)}', flush=True)
            rewind()
        else:
            producer.commit_transaction(30)
            print(f'C {attempt} {len(msgs)}', flush=True)
    except KafkaException as e:
        err = e.args[0]
        aborted = False
        if err.txn_requires_abort():
            try:
                producer.abort_transaction(30)
                aborted = True
            except KafkaException as e2:
                print(f'# abort: {e2}', flush=True)
        print(f'{"X" if aborted else "U"} {attempt} {len(msgs)} # {err}', flush=True)
        if not aborted:
            # Whatever was pending is fenced and aborted by the next init_transactions.
            producer = new_producer()
        rewind()

consumer.close()
print(f'DONE {attempt}', flush=True)

#!/usr/bin/python3
# librdkafka (confluent_kafka) idempotent acks=all producer for the crash campaign. Produces
# "<name>:<seq>" round-robin over the partitions at about RATE records/s until SIGTERM, then
# flushes. Prints one line per delivery report on stdout:
#   A <id> <partition> <offset>   acknowledged
#   F <id> <error>                failed (not acknowledged: may or may not be in the log)
# Usage: idempotent_producer.py <bootstrap> <topic> <partitions> <name> <rate> [key-bytes]
# (key-bytes: a key of that many bytes makes each record bigger; the id stays the value)
import signal
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, partitions, name, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
padding = b'k' * int(sys.argv[6]) if len(sys.argv) > 6 else None
stopping = False


def on_term(_signum, _frame):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, on_term)

producer = Producer({
    'bootstrap.servers': bootstrap,
    'enable.idempotence': True,
    'acks': 'all',
    # Outlive every broker restart of the campaign: a record is only given up at shutdown.
    'message.timeout.ms': 600000,
    'linger.ms': 5,
    'reconnect.backoff.ms': 100,
    'reconnect.backoff.max.ms': 500,
})


def report(err, msg):
    value = msg.value().decode()
    if err is None:
        print(f'A {value} {msg.partition()} {msg.offset()}', flush=True)
    else:
        print(f'F {value} {err.name()}', flush=True)


seq = 0
start = time.monotonic()
while not stopping:
    due = start + seq / rate
    now = time.monotonic()
    if due > now:
        producer.poll(due - now)
        continue
    try:
        producer.produce(topic, key=padding, value=f'{name}:{seq}'.encode(), partition=seq % partitions, on_delivery=report)
        seq += 1
    except BufferError:
        producer.poll(0.1)
    producer.poll(0)

left = producer.flush(60)
print(f'DONE {seq} {left}', flush=True)

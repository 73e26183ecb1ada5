# The librdkafka side of the cluster-faults campaign: an idempotent acks=all producer
# (confluent-kafka-python) writing "r-<n>" to partition n % PARTITIONS of TOPIC until the file
# STOPFILE exists, then flushing. While it runs it keeps its count of acknowledged messages in
# STOPFILE.acked (the campaign waits for progress on it). At the end it writes OUTFILE: every
# acknowledged message as [partition, offset, value], in acknowledgement order, and the failures.
# Usage: cluster-faults-rdkafka-producer.py BOOTSTRAP TOPIC PARTITIONS STOPFILE OUTFILE
import json
import os
import sys
import time

from confluent_kafka import KafkaException, Producer

bootstrap, topic, partitions, stopfile, outfile = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
acked = []
failed = []


def on_delivery(err, msg):
    if err is None:
        acked.append([msg.partition(), msg.offset(), msg.value().decode()])
    else:
        failed.append('%s: %s' % (msg.value().decode(), err))


producer = Producer({
    'bootstrap.servers': bootstrap,
    'enable.idempotence': True,
    'acks': 'all',
    'linger.ms': 5,
    'retry.backoff.ms': 100,
    # Long enough to outlast any one fault: a message that times out is a failure, not a loss.
    'message.timeout.ms': 120000,
    'request.timeout.ms': 5000,
    'socket.timeout.ms': 5000,
    'topic.metadata.refresh.interval.ms': 1000,
})
parent = os.getppid()
n = 0
last_report = 0.0
fatal = None


def step():
    global n, last_report
    now = time.time()
    if now - last_report >= 0.1:
        last_report = now
        # The campaign died without saying so: its brokers are gone, there is nothing to flush.
        if os.getppid() != parent:
            os._exit(1)
        if os.path.exists(stopfile):
            return False
        with open(stopfile + '.acked.tmp', 'w') as f:
            f.write(str(len(acked)))
        os.replace(stopfile + '.acked.tmp', stopfile + '.acked')
    # Bounded backlog: while no leader answers, wait rather than queue thousands of messages.
    if n - len(acked) - len(failed) < 100:
        producer.produce(topic, value=('r-%d' % n).encode(), partition=n % partitions, on_delivery=on_delivery)
        n += 1
    producer.poll(0.005)
    return True


try:
    while step():
        pass
    left = producer.flush(150)
except KafkaException as err:
    # A fatal producer error (the idempotent producer gives up): what was acknowledged so far is
    # still checked, and the error is reported.
    fatal = str(err)
    left = len(producer)
with open(outfile, 'w') as f:
    json.dump({'acked': acked, 'failed': len(failed), 'errors': failed[:10], 'unflushed': left, 'produced': n, 'fatal': fatal}, f)

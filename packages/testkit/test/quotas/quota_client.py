# A confluent-kafka (librdkafka) client working as fast as it can for a while, reporting the
# bytes it moved over time and the throttle times the broker sent (throttle_cb).
# usage: quota_client.py produce|consume BOOTSTRAP TOPIC CLIENT_ID SECONDS [MAX_MESSAGES]
# Prints one JSON line: {"samples": [[t, cumulative_bytes], ...], "throttles": [ms, ...],
#                        "messages": n, "errors": [...]}
import json
import sys
import time
from confluent_kafka import Consumer, Producer

mode, bootstrap, topic, client_id, seconds = sys.argv[1:6]
max_messages = int(sys.argv[6]) if len(sys.argv) > 6 else None
seconds = float(seconds)
throttles = []
errors = []
samples = []
moved = 0
messages = 0
VALUE = b"x" * 10000


def on_throttle(event):
    throttles.append(event.throttle_time * 1000.0)


def on_error(err):
    errors.append(str(err))


common = {"bootstrap.servers": bootstrap, "client.id": client_id, "throttle_cb": on_throttle, "error_cb": on_error}

if mode == "produce":
    producer = Producer({**common, "linger.ms": 5, "batch.size": 65536, "acks": "all", "compression.type": "none",
                         "queue.buffering.max.kbytes": 256, "max.in.flight.requests.per.connection": 5})
    start = time.monotonic()

    def delivered(err, msg):
        global moved, messages
        if err is not None:
            errors.append(str(err))
            return
        moved += len(msg.value())
        messages += 1
        samples.append([time.monotonic() - start, moved])

    sent = 0
    while time.monotonic() - start < seconds and (max_messages is None or sent < max_messages):
        try:
            producer.produce(topic, VALUE, callback=delivered)
            sent += 1
        except BufferError:
            producer.poll(0.05)
        producer.poll(0)
    producer.flush(30)
else:
    consumer = Consumer({**common, "group.id": client_id, "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "max.partition.fetch.bytes": 131072})
    consumer.subscribe([topic])
    start = None
    deadline = time.monotonic() + 30
    while True:
        msg = consumer.poll(0.2)
        now = time.monotonic()
        if start is None and now > deadline:
            errors.append("nothing consumed")
            break
        if start is not None and (now - start >= seconds or (max_messages is not None and messages >= max_messages)):
            break
        if msg is None:
            continue
        if msg.error() is not None:
            errors.append(str(msg.error()))
            continue
        if start is None:
            start = now
        moved += len(msg.value())
        messages += 1
        samples.append([now - start, moved])
    consumer.close()

print(json.dumps({"samples": samples, "throttles": throttles, "messages": messages, "errors": errors}))

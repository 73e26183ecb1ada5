# kafka-python's admin client creating topics in one CreateTopics request, reporting for each the
# version it used, the response's throttle time and the error code the broker answered.
# usage: mutation_client.py BOOTSTRAP CLIENT_ID PARTITIONS TOPIC [TOPIC...]
# Prints one JSON line: [{"topic": t, "version": v, "throttle_time_ms": ms, "error_code": c}, ...]
import json
import sys
from kafka.admin import KafkaAdminClient, NewTopic

bootstrap, client_id, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3])
admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=client_id, request_timeout_ms=60000)
results = []
try:
    response = admin.create_topics([NewTopic(topic, partitions, 1) for topic in sys.argv[4:]])
    for name, code, *_ in response.topic_errors:
        results.append({"topic": name, "version": response.API_VERSION,
                        "throttle_time_ms": getattr(response, "throttle_time_ms", None), "error_code": code})
finally:
    admin.close()
print(json.dumps(results))

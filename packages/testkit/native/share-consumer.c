/*
 * A librdkafka share consumer (KIP-932) for Brook's tests: librdkafka's JavaScript binding has no
 * share consumer, so the tests drive its C API through this program. It subscribes to one topic in
 * one share group and prints one line per event on stdout (flushed at once), which the test parses:
 *
 *   READY                                   the consumer is created and subscribed
 *   MSG <partition> <offset> <deliveryCount> <ack> <value>
 *                                           a record; <ack> is what was answered (accept, release,
 *                                           reject, none when the consumer hangs on it)
 *   HANG                                    --hang-after was reached: nothing is acknowledged from
 *                                           now on and the program sleeps until it is killed
 *   ACKED <partition> <err> <offset>...     the broker answered acknowledgements (err 0: durable)
 *   ERR <code> <text>                       a poll error or a record-level error
 *   CLOSED                                  the consumer closed cleanly (SIGTERM or --max)
 *
 * Options (all but the first three optional):
 *   --bootstrap host:port  --group id  --topic name
 *   --release-mod N        RELEASE records whose offset % N == 0 while delivered fewer than
 *                          --release-until times (default 2: released once, then accepted)
 *   --reject-mod N         REJECT records whose offset % N == 0
 *   --hang-after N         after N records, acknowledge nothing more and wait to be killed
 *   --max N                close after N accepted records
 *   --delay-us N           spend N microseconds on each record (a slow worker)
 *   --quiet 1              print no MSG lines (benchmarks count ACKED lines)
 *   --debug list           librdkafka debug contexts (to stderr)
 * Acknowledgement is explicit (share.acknowledgement.mode=explicit): every record gets the answer
 * the rules give it before the next poll.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

static volatile sig_atomic_t running = 1;

static void on_term(int sig) {
        (void)sig;
        running = 0;
}

/* The broker's answer to acknowledgements: only these count as accepted. */
static void on_acked(rd_kafka_share_t *rkshare,
                     rd_kafka_share_partition_offsets_list_t *partitions,
                     rd_kafka_resp_err_t err, void *opaque) {
        (void)rkshare;
        (void)opaque;
        size_t n = rd_kafka_share_partition_offsets_list_count(partitions);
        for (size_t i = 0; i < n; i++) {
                const rd_kafka_share_partition_offsets_t *po =
                    rd_kafka_share_partition_offsets_list_get(partitions, i);
                const rd_kafka_topic_partition_t *tp =
                    rd_kafka_share_partition_offsets_partition(po);
                const int64_t *offsets = rd_kafka_share_partition_offsets_offsets(po);
                size_t cnt = rd_kafka_share_partition_offsets_offsets_cnt(po);
                int code = tp->err ? tp->err : err;
                printf("ACKED %d %d", (int)tp->partition, code);
                for (size_t j = 0; j < cnt; j++)
                        printf(" %lld", (long long)offsets[j]);
                printf("\n");
        }
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
        char errstr[512];
        if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK) {
                fprintf(stderr, "config %s=%s: %s\n", name, value, errstr);
                exit(2);
        }
}

int main(int argc, char **argv) {
        const char *bootstrap = NULL, *group = NULL, *topic = NULL,
                   *debug = NULL;
        long release_mod = 0, release_until = 2, reject_mod = 0,
             hang_after = -1, max = -1, delay_us = 0;
        long seen = 0, accepted = 0, quiet = 0;
        int hanging = 0;
        char errstr[512];

        for (int i = 1; i + 1 < argc; i += 2) {
                const char *k = argv[i], *v = argv[i + 1];
                if (!strcmp(k, "--bootstrap"))
                        bootstrap = v;
                else if (!strcmp(k, "--group"))
                        group = v;
                else if (!strcmp(k, "--topic"))
                        topic = v;
                else if (!strcmp(k, "--release-mod"))
                        release_mod = atol(v);
                else if (!strcmp(k, "--release-until"))
                        release_until = atol(v);
                else if (!strcmp(k, "--reject-mod"))
                        reject_mod = atol(v);
                else if (!strcmp(k, "--hang-after"))
                        hang_after = atol(v);
                else if (!strcmp(k, "--max"))
                        max = atol(v);
                else if (!strcmp(k, "--quiet"))
                        quiet = atol(v);
                else if (!strcmp(k, "--delay-us"))
                        delay_us = atol(v);
                else if (!strcmp(k, "--debug"))
                        debug = v;
                else {
                        fprintf(stderr, "unknown option %s\n", k);
                        return 2;
                }
        }
        if (!bootstrap || !group || !topic) {
                fprintf(stderr,
                        "usage: %s --bootstrap host:port --group id --topic "
                        "name [options]\n",
                        argv[0]);
                return 2;
        }
        signal(SIGTERM, on_term);
        signal(SIGINT, on_term);
        setvbuf(stdout, NULL, _IOLBF, 0);

        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", bootstrap);
        set(conf, "group.id", group);
        set(conf, "share.acknowledgement.mode", "explicit");
        if (debug)
                set(conf, "debug", debug);
        rd_kafka_share_t *rkshare =
            rd_kafka_share_consumer_new(conf, errstr, sizeof(errstr));
        if (!rkshare) {
                fprintf(stderr, "share consumer: %s\n", errstr);
                return 1;
        }
        rd_kafka_error_t *cb_error =
            rd_kafka_share_set_acknowledgement_commit_cb(rkshare, on_acked, NULL);
        if (cb_error) {
                fprintf(stderr, "commit callback: %s\n",
                        rd_kafka_error_string(cb_error));
                return 1;
        }
        rd_kafka_topic_partition_list_t *topics =
            rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(topics, topic,
                                          RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t err = rd_kafka_share_subscribe(rkshare, topics);
        rd_kafka_topic_partition_list_destroy(topics);
        if (err) {
                fprintf(stderr, "subscribe: %s\n", rd_kafka_err2str(err));
                return 1;
        }
        printf("READY\n");

        while (running) {
                if (hanging) {
                        sleep(1);
                        continue;
                }
                rd_kafka_messages_t *batch = NULL;
                rd_kafka_error_t *error = rd_kafka_share_poll(rkshare, 200, &batch);
                if (error) {
                        printf("ERR %d %s\n", rd_kafka_error_code(error),
                               rd_kafka_error_string(error));
                        rd_kafka_error_destroy(error);
                        rd_kafka_messages_destroy(batch);
                        continue;
                }
                size_t cnt = rd_kafka_messages_count(batch);
                for (size_t i = 0; i < cnt; i++) {
                        rd_kafka_message_t *m = rd_kafka_messages_get(batch, i);
                        if (m->err) {
                                printf("ERR %d %s\n", m->err,
                                       rd_kafka_message_errstr(m));
                                continue;
                        }
                        int16_t dc = rd_kafka_message_delivery_count(m);
                        const char *ack = "accept";
                        rd_kafka_share_AcknowledgeType_t type =
                            RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_ACCEPT;
                        if (hang_after >= 0 && seen >= hang_after) {
                                if (!hanging)
                                        printf("HANG\n");
                                hanging = 1;
                        }
                        if (hanging)
                                ack = "none";
                        else if (reject_mod > 0 && m->offset % reject_mod == 0) {
                                ack  = "reject";
                                type = RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_REJECT;
                        } else if (release_mod > 0 &&
                                   m->offset % release_mod == 0 &&
                                   dc < release_until) {
                                ack  = "release";
                                type = RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_RELEASE;
                        }
                        seen++;
                        if (!quiet)
                                printf("MSG %d %lld %d %s %.*s\n", (int)m->partition,
                               (long long)m->offset, (int)dc, ack,
                               (int)m->len, m->payload ? (const char *)m->payload : "");
                        if (hanging)
                                continue;
                        if (delay_us > 0)
                                usleep((useconds_t)delay_us);
                        err = rd_kafka_share_acknowledge_type(rkshare, m, type);
                        if (err)
                                printf("ERR %d acknowledge: %s\n", err,
                                       rd_kafka_err2str(err));
                        if (type == RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_ACCEPT)
                                accepted++;
                }
                rd_kafka_messages_destroy(batch);
                if (max >= 0 && accepted >= max)
                        break;
        }
        if (!hanging) {
                rd_kafka_error_t *error = rd_kafka_share_consumer_close(rkshare);
                if (error) {
                        printf("ERR %d close: %s\n", rd_kafka_error_code(error),
                               rd_kafka_error_string(error));
                        rd_kafka_error_destroy(error);
                }
                rd_kafka_share_destroy(rkshare);
                printf("CLOSED\n");
        }
        return 0;
}

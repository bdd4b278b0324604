// leadflow-passthrough: the baseline's "raw Kafka path". One topic hop with no
// logic: consume every record of --from and produce it unchanged (key, value,
// headers) to --to, until SIGTERM/SIGINT. Plain librdkafka, with the same
// client settings the services use (acks=all, idempotence, linger.ms=2,
// fetch.wait.max.ms=10) but auto-commit and no per-batch flush.
//
//   leadflow-passthrough --brokers B --from T1 --to T2 [--group G] [--property k=v ...]
//
// --property overrides a librdkafka property on both clients (as the
// services' LEADFLOW_KAFKA_PROPERTIES does), e.g. linger.ms=0.
#include <librdkafka/rdkafka.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

bool Set(rd_kafka_conf_t* conf, const char* k, const std::string& v) {
  char err[256];
  if (rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "leadflow-passthrough: %s=%s: %s\n", k, v.c_str(), err);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string brokers, from, to, group;
  std::vector<std::pair<std::string, std::string>> props;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--brokers")
      brokers = argv[i + 1];
    else if (a == "--from")
      from = argv[i + 1];
    else if (a == "--to")
      to = argv[i + 1];
    else if (a == "--group")
      group = argv[i + 1];
    else if (a == "--property" && std::strchr(argv[i + 1], '=') != nullptr) {
      const std::string kv = argv[i + 1];
      props.emplace_back(kv.substr(0, kv.find('=')), kv.substr(kv.find('=') + 1));
    } else {
      std::fprintf(stderr, "leadflow-passthrough: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (brokers.empty() || from.empty() || to.empty()) {
    std::fprintf(stderr, "usage: leadflow-passthrough --brokers B --from T1 --to T2 [--group G]\n");
    return 2;
  }
  if (group.empty()) group = "leadflow-passthrough-" + from;
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);

  char err[512];
  rd_kafka_conf_t* pc = rd_kafka_conf_new();
  if (!Set(pc, "bootstrap.servers", brokers) || !Set(pc, "enable.idempotence", "true") ||
      !Set(pc, "acks", "all") || !Set(pc, "linger.ms", "2")) {
    return 1;
  }
  for (const auto& [k, v] : props) {
    if (!Set(pc, k.c_str(), v)) return 1;
  }
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof err);
  if (!producer) {
    std::fprintf(stderr, "leadflow-passthrough: producer: %s\n", err);
    return 1;
  }
  rd_kafka_conf_t* cc = rd_kafka_conf_new();
  if (!Set(cc, "bootstrap.servers", brokers) || !Set(cc, "group.id", group) ||
      !Set(cc, "auto.offset.reset", "earliest") || !Set(cc, "fetch.wait.max.ms", "10") ||
      !Set(cc, "enable.auto.commit", "true")) {
    return 1;
  }
  for (const auto& [k, v] : props) {
    if (!Set(cc, k.c_str(), v)) return 1;
  }
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof err);
  if (!consumer) {
    std::fprintf(stderr, "leadflow-passthrough: consumer: %s\n", err);
    return 1;
  }
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, from.c_str(), RD_KAFKA_PARTITION_UA);
  if (rd_kafka_resp_err_t e = rd_kafka_subscribe(consumer, topics); e) {
    std::fprintf(stderr, "leadflow-passthrough: subscribe %s: %s\n", from.c_str(),
                 rd_kafka_err2str(e));
    return 1;
  }
  rd_kafka_topic_partition_list_destroy(topics);

  long forwarded = 0;
  int rc = 0;
  while (!g_stop) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 50);
    rd_kafka_poll(producer, 0);
    if (!m) continue;
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        std::fprintf(stderr, "leadflow-passthrough: consume: %s\n", rd_kafka_message_errstr(m));
      }
      rd_kafka_message_destroy(m);
      continue;
    }
    rd_kafka_headers_t* hdrs = nullptr;
    rd_kafka_headers_t* in_hdrs = nullptr;
    if (rd_kafka_message_headers(m, &in_hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      hdrs = rd_kafka_headers_copy(in_hdrs);
    }
    for (;;) {
      rd_kafka_resp_err_t e = rd_kafka_producev(
          producer, RD_KAFKA_V_TOPIC(to.c_str()), RD_KAFKA_V_KEY(m->key, m->key_len),
          RD_KAFKA_V_VALUE(m->payload, m->len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL && !g_stop) {
        rd_kafka_poll(producer, 10);
        continue;
      }
      std::fprintf(stderr, "leadflow-passthrough: produce: %s\n", rd_kafka_err2str(e));
      if (hdrs) rd_kafka_headers_destroy(hdrs);
      rc = 1;
      break;
    }
    ++forwarded;
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_flush(producer, 10000);
  rd_kafka_destroy(producer);
  std::fprintf(stderr, "leadflow-passthrough: %s -> %s forwarded %ld records\n", from.c_str(),
               to.c_str(), forwarded);
  return rc;
}

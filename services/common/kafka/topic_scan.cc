#include "common/kafka/topic_scan.h"

#include <memory>
#include <vector>

#include "common/kafka/rdkafka_config.h"

namespace leadflow::kafka {
namespace {

struct RkDeleter {
  void operator()(rd_kafka_t* rk) const {
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
  }
};

}  // namespace

Status ScanTopic(const TopicScanOptions& options,
                 const std::function<void(const ConsumedMessage&)>& visit) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + options.timeout;
  auto remaining = [&] {
    return static_cast<int>(std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count()));
  };
  // These win over the pass-through: the scan depends on them.
  auto raw = internal::NewClient({RD_KAFKA_CONSUMER, "topic scan consumer",
                                  options.extra_properties,
                                  {{"bootstrap.servers", options.brokers},
                                   // required by the API; never joined or committed
                                   {"group.id", "leadflow-topic-scan"},
                                   {"enable.auto.commit", "false"},
                                   {"enable.partition.eof", "true"},
                                   {"isolation.level", "read_committed"}}});
  if (!raw.ok()) return Status::Unavailable(raw.status().message());
  std::unique_ptr<rd_kafka_t, RkDeleter> rk(*raw);

  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk.get(), options.topic.c_str(), nullptr);
  rd_kafka_resp_err_t e = rd_kafka_metadata(rk.get(), 0, rkt, &md, remaining());
  rd_kafka_topic_destroy(rkt);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable("topic scan metadata: " + std::string(rd_kafka_err2str(e)));
  }
  int partitions = 0;
  if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    partitions = md->topics[0].partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  if (partitions == 0) return Status::Ok();  // no topic yet: nothing was ever written

  std::vector<int64_t> high(static_cast<size_t>(partitions), 0);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  int open = 0;
  for (int p = 0; p < partitions; ++p) {
    int64_t lo = 0, hi = 0;
    e = rd_kafka_query_watermark_offsets(rk.get(), options.topic.c_str(), p, &lo, &hi, remaining());
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_topic_partition_list_destroy(list);
      return Status::Unavailable("topic scan watermarks: " + std::string(rd_kafka_err2str(e)));
    }
    high[static_cast<size_t>(p)] = hi;
    if (hi > lo) {
      rd_kafka_topic_partition_list_add(list, options.topic.c_str(), p)->offset = lo;
      ++open;
    }
  }
  e = rd_kafka_assign(rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable("topic scan assign: " + std::string(rd_kafka_err2str(e)));
  }
  std::vector<bool> done(static_cast<size_t>(partitions), false);
  for (int p = 0; p < partitions; ++p) {
    if (high[static_cast<size_t>(p)] == 0) done[static_cast<size_t>(p)] = true;
  }
  while (open > 0) {
    if (remaining() == 0) return Status::Unavailable("topic scan of " + options.topic + " timed out");
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), std::min(200, remaining()));
    if (m == nullptr) continue;
    const auto p = static_cast<size_t>(m->partition);
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && p < high.size() && !done[p]) {
      ConsumedMessage cm;
      cm.topic = options.topic;
      cm.partition = m->partition;
      cm.offset = m->offset;
      if (m->key) cm.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload) cm.payload.assign(static_cast<const char*>(m->payload), m->len);
      visit(cm);
    }
    if (p < high.size() && !done[p] &&
        (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF ||
         (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset + 1 >= high[p]))) {
      done[p] = true;
      --open;
    }
    rd_kafka_message_destroy(m);
  }
  return Status::Ok();
}

}  // namespace leadflow::kafka

#include "common/kafka/consumer.h"

#include <atomic>

#include "common/kafka/rdkafka_config.h"
#include "common/log/log.h"
#include "common/metrics/service_metrics.h"

namespace leadflow::kafka {
namespace {

struct ConsumerState {
  std::atomic<int> assigned{0};
  metrics::ServiceMetrics* metrics = nullptr;
};

void Rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
               void* opaque) {
  auto* state = static_cast<ConsumerState*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rd_kafka_assign(rk, parts);
    state->assigned = parts->cnt;
    log::Info("partitions assigned", {{"count", std::to_string(parts->cnt)}});
  } else {
    // Offsets of handled batches are already committed; just drop the assignment.
    rd_kafka_assign(rk, nullptr);
    state->assigned = 0;
    log::Info("partitions revoked", {{"count", std::to_string(parts->cnt)}});
  }
}

int StatsCallback(rd_kafka_t*, char* json, size_t len, void* opaque) {
  auto* state = static_cast<ConsumerState*>(opaque);
  if (state->metrics) {
    for (const auto& p : ParsePartitionLags(std::string_view(json, len))) {
      state->metrics->ConsumerLag(p.topic, p.partition, static_cast<double>(p.lag));
    }
  }
  return 0;  // librdkafka frees json
}

// Commits are asynchronous (see Commit()); their failures surface here, on
// the thread that polls the consumer.
void OffsetCommitCallback(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*,
                          void* opaque) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
  auto* state = static_cast<ConsumerState*>(opaque);
  if (state->metrics) state->metrics->Error("kafka_commit");
  // Outputs were flushed before the commit: a lost commit only means the
  // batch is delivered again, which the idempotent handlers absorb.
  log::Warn("kafka commit failed; the batch may be redelivered", {{"error", rd_kafka_err2str(err)}});
}

void ErrorCallback(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  internal::OnClientError(rk, err, reason, static_cast<ConsumerState*>(opaque)->metrics);
}

class KafkaConsumer final : public Consumer {
 public:
  KafkaConsumer(rd_kafka_t* rk, std::unique_ptr<ConsumerState> state)
      : rk_(rk), state_(std::move(state)) {}
  ~KafkaConsumer() override {
    Close();
    rd_kafka_destroy(rk_);
  }

  std::vector<ConsumedMessage> PollBatch(size_t max_messages,
                                         std::chrono::milliseconds timeout) override {
    std::vector<ConsumedMessage> batch;
    int wait_ms = static_cast<int>(timeout.count());
    while (batch.size() < max_messages) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, batch.empty() ? wait_ms : 0);
      if (!m) break;
      if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          log::Warn("kafka consume error", {{"error", rd_kafka_message_errstr(m)}});
          if (state_->metrics) state_->metrics->Error("kafka_consume");
        }
        rd_kafka_message_destroy(m);
        if (batch.empty()) break;
        continue;
      }
      batch.push_back(internal::ToConsumedMessage(m));
      if (state_->metrics) state_->metrics->Consumed(batch.back().topic);
      rd_kafka_message_destroy(m);
    }
    return batch;
  }

  Status Commit(const std::vector<TopicPartitionOffset>& offsets) override {
    if (offsets.empty()) return Status::Ok();
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(offsets.size());
    for (const auto& o : offsets) {
      rd_kafka_topic_partition_list_add(list, o.topic.c_str(), o.partition)->offset = o.offset;
    }
    rd_kafka_resp_err_t err = rd_kafka_commit(rk_, list, /*async=*/1);
    rd_kafka_topic_partition_list_destroy(list);
    if (err) return Status::Unavailable(std::string("kafka commit: ") + rd_kafka_err2str(err));
    return Status::Ok();
  }

  Status Seek(const TopicPartitionOffset& p) override {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, p.topic.c_str(), p.partition)->offset = p.offset;
    rd_kafka_error_t* error = rd_kafka_seek_partitions(rk_, list, 5000);
    Status s;
    if (error) {
      s = Status::Unavailable(std::string("kafka seek: ") + rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
    } else if (list->elems[0].err) {
      s = Status::Unavailable(std::string("kafka seek: ") + rd_kafka_err2str(list->elems[0].err));
    }
    rd_kafka_topic_partition_list_destroy(list);
    return s;
  }

  int AssignedPartitions() const override { return state_->assigned.load(); }

  void Close() override {
    if (closed_) return;
    closed_ = true;
    rd_kafka_consumer_close(rk_);
  }

 private:
  rd_kafka_t* rk_;
  std::unique_ptr<ConsumerState> state_;
  bool closed_ = false;
};

}  // namespace

StatusOr<std::unique_ptr<Consumer>> MakeKafkaConsumer(const ConsumerOptions& options,
                                                      metrics::ServiceMetrics* metrics) {
  if (options.group_id.empty()) return Status::InvalidArgument("kafka consumer: group_id is empty");
  if (options.topics.empty()) return Status::InvalidArgument("kafka consumer: no topics");
  auto props = internal::ConsumerProperties(options.brokers, options.client_id, options.group_id);
  props.insert({{"auto.offset.reset", options.from_beginning ? "earliest" : "latest"},
                {"enable.partition.eof", "false"},
                {"statistics.interval.ms", "5000"},
                {"session.timeout.ms", "10000"},
                {"heartbeat.interval.ms", "1000"},
                {"fetch.wait.max.ms", "10"},
                {"topic.metadata.refresh.interval.ms", "10000"}});
  auto state = std::make_unique<ConsumerState>();
  state->metrics = metrics;
  auto rk_or = internal::NewClient(
      {RD_KAFKA_CONSUMER, "kafka consumer", std::move(props), options.extra_properties,
       state.get(), ErrorCallback, [](rd_kafka_conf_t* conf) {
         rd_kafka_conf_set_rebalance_cb(conf, Rebalance);
         rd_kafka_conf_set_stats_cb(conf, StatsCallback);
         rd_kafka_conf_set_offset_commit_cb(conf, OffsetCommitCallback);
       }});
  if (!rk_or.ok()) return rk_or.status();
  rd_kafka_t* rk = *rk_or;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(options.topics.size());
  for (const auto& t : options.topics) {
    rd_kafka_topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t serr = rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (serr) {
    rd_kafka_destroy(rk);
    return Status::InvalidArgument(std::string("kafka subscribe: ") + rd_kafka_err2str(serr));
  }
  return std::unique_ptr<Consumer>(std::make_unique<KafkaConsumer>(rk, std::move(state)));
}

}  // namespace leadflow::kafka

#include "common/kafka/partition_reader.h"

#include "common/kafka/rdkafka_config.h"
#include "common/log/log.h"

namespace leadflow::kafka {
namespace {

class KafkaPartitionReader final : public PartitionReader {
 public:
  KafkaPartitionReader(rd_kafka_t* rk, PartitionReaderOptions options)
      : rk_(rk), options_(std::move(options)) {}
  ~KafkaPartitionReader() override {
    rd_kafka_assign(rk_, nullptr);
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }

  StatusOr<std::vector<int64_t>> EndOffsets() override {
    const int timeout_ms = static_cast<int>(options_.timeout.count());
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, options_.topic.c_str(), nullptr);
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk_, 0, rkt, &md, timeout_ms);
    rd_kafka_topic_destroy(rkt);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Unavailable(options_.topic + " metadata: " + rd_kafka_err2str(e));
    }
    int partitions = 0;
    rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (md->topic_cnt == 1) {
      topic_err = md->topics[0].err;
      partitions = md->topics[0].partition_cnt;
    }
    rd_kafka_metadata_destroy(md);
    if (topic_err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) return std::vector<int64_t>();
    if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Unavailable(options_.topic + " metadata: " + rd_kafka_err2str(topic_err));
    }
    std::vector<int64_t> high(static_cast<size_t>(partitions), 0);
    for (int p = 0; p < partitions; ++p) {
      int64_t lo = 0, hi = 0;
      e = rd_kafka_query_watermark_offsets(rk_, options_.topic.c_str(), p, &lo, &hi, timeout_ms);
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Status::Unavailable(options_.topic + " watermarks: " + rd_kafka_err2str(e));
      }
      high[static_cast<size_t>(p)] = hi;
    }
    return high;
  }

  Status Assign(const std::map<int32_t, int64_t>& start) override {
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(static_cast<int>(start.size()));
    for (const auto& [p, offset] : start) {
      rd_kafka_topic_partition_list_add(list, options_.topic.c_str(), p)->offset =
          offset < 0 ? RD_KAFKA_OFFSET_BEGINNING : offset;
    }
    rd_kafka_resp_err_t e = rd_kafka_assign(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Unavailable(options_.topic + " assign: " + rd_kafka_err2str(e));
    }
    reached_.clear();
    for (const auto& [p, offset] : start) reached_[p] = offset < 0 ? 0 : offset;
    return Status::Ok();
  }

  std::vector<ConsumedMessage> Poll(size_t max_messages,
                                    std::chrono::milliseconds timeout) override {
    std::vector<ConsumedMessage> batch;
    while (batch.size() < max_messages) {
      rd_kafka_message_t* m =
          rd_kafka_consumer_poll(rk_, batch.empty() ? static_cast<int>(timeout.count()) : 0);
      if (m == nullptr) break;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        batch.push_back(internal::ToConsumedMessage(m));
        Reach(m->partition, m->offset + 1);
      } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        Reach(m->partition, m->offset);  // the end offset when the end was reached
      } else {
        log::Warn("kafka read error", {{"topic", options_.topic}, {"error", rd_kafka_message_errstr(m)}});
      }
      rd_kafka_message_destroy(m);
    }
    return batch;
  }

  std::map<int32_t, int64_t> Reached() const override { return reached_; }

 private:
  void Reach(int32_t partition, int64_t offset) {
    auto it = reached_.find(partition);
    if (it != reached_.end() && offset > it->second) it->second = offset;
  }

  rd_kafka_t* rk_;
  PartitionReaderOptions options_;
  std::map<int32_t, int64_t> reached_;  // assigned partitions only
};

}  // namespace

StatusOr<std::unique_ptr<PartitionReader>> MakePartitionReader(const PartitionReaderOptions& options) {
  if (options.topic.empty()) return Status::InvalidArgument("partition reader: no topic");
  auto props = internal::ConsumerProperties(options.brokers, options.client_id, options.group_id);
  props.insert({{"enable.partition.eof", "true"},
                {"auto.offset.reset", "earliest"},
                {"isolation.level", "read_committed"},
                {"fetch.wait.max.ms", "50"}});
  auto rk_or = internal::NewClient(
      {RD_KAFKA_CONSUMER, "partition reader", std::move(props), options.extra_properties});
  if (!rk_or.ok()) return rk_or.status();
  rd_kafka_t* rk = *rk_or;
  rd_kafka_poll_set_consumer(rk);
  return std::unique_ptr<PartitionReader>(
      std::make_unique<KafkaPartitionReader>(rk, options));
}

}  // namespace leadflow::kafka

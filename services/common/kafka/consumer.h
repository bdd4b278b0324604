// Consuming from Kafka in a consumer group, with manual commits.
//
// KafkaConsumer disables auto-commit: offsets are committed only through
// Commit(), after the batch they cover has been handled and its outputs
// flushed (at-least-once). Rebalances are handled inside PollBatch(): on
// revocation the consumer drops its assignment cleanly; processed offsets have
// already been committed by then. Not thread-safe: one thread drives it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/kafka/message.h"
#include "common/util/status.h"

namespace leadflow::metrics {
class ServiceMetrics;
}

namespace leadflow::kafka {

struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;  // the next offset to read (last processed + 1)
};

class Consumer {
 public:
  virtual ~Consumer() = default;
  // Returns up to max_messages, waiting at most `timeout` for the first one and
  // collecting whatever else is immediately available.
  virtual std::vector<ConsumedMessage> PollBatch(size_t max_messages,
                                                 std::chrono::milliseconds timeout) = 0;
  // Commits the given offsets asynchronously: returns once the request is
  // queued, without waiting a round trip to the group coordinator. Callers
  // commit only what is already processed and flushed, so a commit that fails
  // later (it is logged and counted then) only means redelivery. Close()
  // waits for commits still in flight.
  virtual Status Commit(const std::vector<TopicPartitionOffset>& offsets) = 0;
  // Rewinds a partition so that `offset` is delivered again (used after a
  // transient failure, so nothing is skipped).
  virtual Status Seek(const TopicPartitionOffset& position) = 0;
  // Number of partitions currently assigned to this member.
  virtual int AssignedPartitions() const = 0;
  // Leaves the group. Idempotent; also done by the destructor.
  virtual void Close() = 0;
};

struct ConsumerOptions {
  std::string brokers;
  std::map<std::string, std::string> extra_properties;
  std::string group_id;
  std::vector<std::string> topics;
  std::string client_id = "leadflow";
  bool from_beginning = true;  // auto.offset.reset=earliest for new groups
};

StatusOr<std::unique_ptr<Consumer>> MakeKafkaConsumer(const ConsumerOptions& options,
                                                      metrics::ServiceMetrics* metrics);

}  // namespace leadflow::kafka

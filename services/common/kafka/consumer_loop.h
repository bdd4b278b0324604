// The consume -> handle -> produce -> flush -> commit loop every service runs.
//
// Guarantees:
//  - at-least-once: offsets are committed only after the batch's outputs are
//    acknowledged by Kafka (Producer::Flush succeeded);
//  - a bad message never blocks a partition: a handler's kInvalidArgument, any
//    other non-transient error, or an escaping exception becomes a
//    leads.rejected record with the original bytes, and the offset moves on;
//  - a transient failure (kUnavailable, e.g. Redis down) rewinds that
//    partition to the failed message and retries with exponential backoff
//    (100 ms .. 5 s), reporting unhealthy meanwhile; later messages of the
//    same partition wait, so per-key order is kept;
//  - a batch that has not finished within `stall_after` (e.g. its flush
//    waits on a broker that is down) makes stalled() true until it finishes,
//    so /readyz reports the service unready while it cannot make progress.
// Run() blocks on the calling thread until `stop` becomes true, then finishes
// the current batch, flushes, commits and leaves the group.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/kafka/consumer.h"
#include "common/kafka/producer.h"
#include "common/util/clock.h"
#include "leadflow/intake/v1/intake.pb.h"

namespace leadflow::metrics {
class ServiceMetrics;
}

namespace leadflow::kafka {

// Handles one message, appending any outputs to `out`. Must not block for long.
using MessageHandler =
    std::function<Status(const ConsumedMessage& message, std::vector<OutgoingMessage>& out)>;

// One message's result from a BatchHandler.
struct HandledMessage {
  Status status;
  std::vector<OutgoingMessage> out;
};

// Handles a whole consumer batch in one call, so a service can read and write
// the state of N messages in one pipelined Redis request instead of N round
// trips. It must return exactly one result per message, in batch order
// (messages of one partition arrive in offset order). The loop then treats each
// result like a MessageHandler's: a kUnavailable rewinds that partition to the
// message and the results of its later messages are discarded, so, as for a
// MessageHandler, the handler's side effects must be idempotent under
// redelivery. If the call throws, or returns the wrong number of results, the
// loop handles the batch again one message at a time, so a poison message is
// dead-lettered alone.
using BatchHandler = std::function<std::vector<HandledMessage>(const std::vector<ConsumedMessage>& batch)>;

struct ConsumerLoopOptions {
  size_t max_batch = 500;
  std::chrono::milliseconds poll_timeout{100};
  std::chrono::milliseconds flush_timeout{30000};
  leadflow::intake::v1::Stage stage = leadflow::intake::v1::STAGE_UNSPECIFIED;
  std::string name;  // for logs, e.g. "scoring:leads.accepted"
  std::chrono::milliseconds stall_after{3000};
};

class ConsumerLoop {
 public:
  ConsumerLoop(std::unique_ptr<Consumer> consumer, Producer& producer, MessageHandler handler,
               metrics::ServiceMetrics* metrics, const Clock& clock, ConsumerLoopOptions options);
  ConsumerLoop(std::unique_ptr<Consumer> consumer, Producer& producer, BatchHandler handler,
               metrics::ServiceMetrics* metrics, const Clock& clock, ConsumerLoopOptions options);

  void Run(const std::atomic<bool>& stop);

  // False while the loop is backing off after a transient failure.
  bool healthy() const { return healthy_.load(); }
  // True while one batch has been in progress for longer than
  // options.stall_after (by the loop's clock). Thread-safe.
  bool stalled() const;
  // True once the consumer has received a partition assignment.
  bool assigned() const { return consumer_->AssignedPartitions() > 0; }

 private:
  // Returns true when the whole batch was handled and committed.
  bool ProcessBatch(const std::vector<ConsumedMessage>& batch);
  // Seeks back so `offset` is delivered again; a failure is logged.
  void Rewind(const std::string& topic, int32_t partition, int64_t offset);
  // The batch handler's results, falling back to one message at a time.
  std::vector<HandledMessage> HandleAsBatch(const std::vector<ConsumedMessage>& batch);
  HandledMessage HandleOne(const ConsumedMessage& message);

  std::unique_ptr<Consumer> consumer_;
  Producer& producer_;
  MessageHandler handler_;             // exactly one of handler_ and batch_handler_ is set
  BatchHandler batch_handler_;
  metrics::ServiceMetrics* metrics_;
  const Clock& clock_;
  ConsumerLoopOptions options_;
  std::atomic<bool> healthy_{true};
  std::atomic<int64_t> batch_started_ms_{0};  // 0: no batch in progress
};

}  // namespace leadflow::kafka

// The consume -> handle -> produce -> flush -> commit loop every service runs.
//
// Guarantees:
//  - at-least-once: offsets are committed only after the batch's outputs are
//    acknowledged by Kafka (Producer::Flush succeeded);
//  - a bad message never blocks a partition: a handler's kInvalidArgument, any
//    other non-transient error, or an escaping exception becomes a
//    leads.rejected record with the original bytes (cut to a bound, with the
//    size and SHA-256 of the whole: dead_letter.h), and the offset moves on;
//  - a transient failure (kUnavailable, e.g. Redis down, or kAborted, state
//    reset underneath) rewinds that partition to the failed message and
//    retries with exponential backoff (100 ms .. 5 s), reporting unhealthy
//    meanwhile; later messages of the same partition wait, so per-key order
//    is kept;
//  - an output that can never be produced (Producer's permanent failures:
//    too large, unknown topic, not authorized), found by Produce() at once or
//    by the Flush() after it, dead-letters its input instead; the partition
//    moves on, an error is logged and counted
//    (errors_total{reason="kafka_produce_permanent"}), and healthy() is false
//    for `permanent_failure_window` once `permanent_failures_for_unready` such
//    failures fall in that window. To find the culprit of a Flush() failure
//    the batch's outputs are produced again one message at a time, each
//    waiting for its own delivery report;
//  - if an input's dead letter cannot be produced either, the input is
//    retried with backoff like a transient failure: unhealthy, an error logged
//    and counted (errors_total{reason="dead_letter_failed"}) on every attempt;
//  - a batch that has not finished within `stall_after` (e.g. its flush
//    waits on a broker that is down) makes stalled() true until it finishes,
//    so /readyz reports the service unready while it cannot make progress.
//  - batches overlap: while batch N's outputs are on their way to Kafka, the
//    loop takes what is already waiting (without blocking) as batch N+1 and
//    handles it, then waits for N's deliveries and commits N, and only then
//    produces N+1's outputs. So commits follow flushes, in order, and outputs
//    keep their input order; if N fails (a rewind), N+1's results are
//    dropped unproduced and its partitions rewound, as if never polled. A
//    batch with a message to retry is finished before the next poll, so its
//    rewind comes first.
// Run() blocks on the calling thread until `stop` becomes true, then finishes
// the batches in progress, flushes, commits and leaves the group.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/kafka/consumer.h"
#include "common/kafka/producer.h"
#include "common/util/clock.h"
#include "leadflow/common/v1/dead_letter.pb.h"

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
  leadflow::common::v1::Stage stage = leadflow::common::v1::STAGE_UNSPECIFIED;
  std::string name;  // for logs, e.g. "scoring:leads.accepted"
  std::chrono::milliseconds stall_after{3000};
  // healthy() is false for `permanent_failure_window` after this many
  // permanent produce failures fell within that window (one poison output
  // does not flap readiness; a topic that refuses every write does).
  size_t permanent_failures_for_unready = 3;
  std::chrono::milliseconds permanent_failure_window{60000};
};

class ConsumerLoop {
 public:
  ConsumerLoop(std::unique_ptr<Consumer> consumer, Producer& producer, MessageHandler handler,
               metrics::ServiceMetrics* metrics, const Clock& clock, ConsumerLoopOptions options);
  ConsumerLoop(std::unique_ptr<Consumer> consumer, Producer& producer, BatchHandler handler,
               metrics::ServiceMetrics* metrics, const Clock& clock, ConsumerLoopOptions options);

  void Run(const std::atomic<bool>& stop);

  // False while the loop is backing off after a transient failure, and while
  // permanent produce failures recur (see above). Thread-safe.
  bool healthy() const;
  // True while one batch has been in progress for longer than
  // options.stall_after (by the loop's clock). Thread-safe.
  bool stalled() const;
  // True once the consumer has received a partition assignment.
  bool assigned() const { return consumer_->AssignedPartitions() > 0; }

 private:
  // One message's outputs, or its dead letter.
  struct Planned {
    std::vector<OutgoingMessage> out;
    bool dead_letter = false;  // `out` ends with the input's own dead letter
  };
  using PartitionKey = std::pair<std::string, int32_t>;
  // A batch between its poll and its commit.
  struct Batch {
    std::vector<ConsumedMessage> messages;
    std::vector<HandledMessage> results;  // one per message
    // Each message's handling time: its own under a MessageHandler, its share
    // of the call under a BatchHandler.
    std::vector<double> handler_seconds;
    int64_t started_ms = 0;
    std::map<PartitionKey, int64_t> first_offset;  // where to rewind if the flush fails
    std::map<PartitionKey, int64_t> next_offset;   // what to commit
    std::map<PartitionKey, int64_t> retry_from;    // transient failures
    // What each message to be committed produced, in batch order, kept in
    // case the flush reports a permanent failure and the culprit must be found.
    std::vector<std::pair<size_t, Planned>> produced;
    std::set<PartitionKey> rewound;  // by Finish()
  };
  // Runs the handler over the batch; produces nothing.
  Batch Handle(std::vector<ConsumedMessage> messages);
  // Enqueues the outputs (or dead letters) of a handled batch, in order.
  void Produce(Batch& batch);
  // Waits for the batch's deliveries, commits what was delivered and rewinds
  // what must be retried. Returns true when the whole batch was committed.
  bool Finish(Batch& batch);
  // Rewinds the partitions of a handled, never produced batch that `failed`
  // did not rewind already (to an earlier offset).
  void Discard(const Batch& batch, const Batch& failed);
  // Health and backoff after a batch ended; `failures` counts the run of
  // failed ones.
  void Settle(bool committed, int& failures, const std::atomic<bool>& stop);
  // Seeks back so `offset` is delivered again; a failure is logged.
  void Rewind(const std::string& topic, int32_t partition, int64_t offset);
  // The batch handler's results, falling back to one message at a time.
  std::vector<HandledMessage> HandleAsBatch(const std::vector<ConsumedMessage>& batch);
  HandledMessage HandleOne(const ConsumedMessage& message);

  // Enqueues the outputs. A permanent failure of one replaces it and the rest
  // with the input's dead letter. Non-ok: retry the message.
  Status ProduceAll(const ConsumedMessage& message, Planned& plan);
  // The same, waiting for each output's own delivery report.
  Status ProduceEachAndWait(const ConsumedMessage& message, const Planned& plan);
  OutgoingMessage DeadLetterFor(const ConsumedMessage& message, const Status& why);
  OutgoingMessage DeadLetterForUnproducible(const ConsumedMessage& message,
                                            const OutgoingMessage& output, const Status& why);
  // Logs and counts a failure that makes the message be retried; returns `s`.
  Status ProduceFailed(const ConsumedMessage& message, bool dead_letter, const Status& s);
  void NotePermanentFailure();

  std::unique_ptr<Consumer> consumer_;
  Producer& producer_;
  MessageHandler handler_;             // exactly one of handler_ and batch_handler_ is set
  BatchHandler batch_handler_;
  metrics::ServiceMetrics* metrics_;
  const Clock& clock_;
  ConsumerLoopOptions options_;
  std::atomic<bool> healthy_{true};
  std::atomic<int64_t> batch_started_ms_{0};  // the oldest batch in progress; 0: none
  std::deque<int64_t> recent_permanent_;      // loop thread only
  std::atomic<int64_t> unready_until_ms_{0};
};

}  // namespace leadflow::kafka

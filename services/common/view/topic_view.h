// A materialised view of one Kafka topic in Redis (e.g. the account registry
// built from the compacted accounts.changes), kept so that it can always be
// rebuilt and is never trusted before it is complete. See
// docs/architecture.md, "State".
//
//  - Position with the data. The view's own store applies each record in one
//    Redis script that also moves the view's position (view_keys.h) and
//    checks the view's epoch. Positions never move backwards, so replicas
//    that apply the same records, or a replay, change nothing twice.
//  - Catch-up gate. At each (re)build the view reads the topic's end offsets;
//    it is ready() only once it has applied every record below them. Then it
//    sets the ready marker in Redis; the view's lookups read that marker in
//    the same atomic read as the data and refuse (kUnavailable) without it.
//  - Reset detection. Every `check_every` the view compares the epoch and
//    positions in Redis with its own: a missing or different epoch (Redis was
//    emptied, restarted without persistence, or failed over to an empty
//    replica) starts a new build from the topic's beginning; positions behind
//    its own (a failover to a replica that missed writes) rewind the reader
//    to them. An apply that meets another epoch (kAborted) does the same at
//    once.
//  - Failures. A transient failure (kUnavailable) re-reads from the failed
//    record after a backoff (100 ms .. 5 s). A record the store refuses as
//    malformed (kInvalidArgument) goes to leads.rejected and is skipped.
//
// Run() blocks on the calling thread until `stop`; ready() and the metrics are
// thread-safe. The reader, store, producer and metrics must outlive Run().
//
// Metrics (leadflow_<service>_view_*, label view=<name>): ready (0/1),
// records (the view's size, when a size function is given), lag_records
// (records in the topic not yet applied) and rebuilds_total{cause=start|
// reset|rollback}.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/kafka/message.h"
#include "common/kafka/partition_reader.h"
#include "common/kafka/producer.h"
#include "common/util/clock.h"
#include "common/view/view_store.h"
#include "leadflow/common/v1/dead_letter.pb.h"

namespace leadflow::metrics {
class ServiceMetrics;
}

namespace leadflow::view {

// Applies one record of the topic to the view, in the build `epoch`, moving
// the view's position past it atomically. Returns Ok when applied or already
// applied (position past it), kAborted when the view is no longer at `epoch`,
// kUnavailable to retry, kInvalidArgument for a record that can never apply.
using ApplyFn = std::function<Status(const std::string& epoch, const kafka::ConsumedMessage& record)>;
// The number of entries in the view, for the records gauge.
using SizeFn = std::function<StatusOr<int64_t>()>;

struct TopicViewOptions {
  leadflow::common::v1::Stage stage = leadflow::common::v1::STAGE_UNSPECIFIED;  // dead letters
  std::chrono::milliseconds poll_timeout{100};
  std::chrono::milliseconds check_every{1000};
  size_t max_batch = 500;
};

class TopicView {
 public:
  TopicView(std::unique_ptr<kafka::PartitionReader> reader, ViewStore& store,
            kafka::Producer& producer, ApplyFn apply, SizeFn size,
            metrics::ServiceMetrics* metrics, const Clock& clock, TopicViewOptions options);

  void Run(const std::atomic<bool>& stop);

  // True once the current build has caught up, until a reset is detected.
  bool ready() const { return ready_.load(); }
  const std::string& name() const { return store_.keys().name; }

 private:
  // Opens the view in Redis, reads the end offsets and assigns the reader.
  Status Start(const char* cause);
  // Applies one polled batch; returns false when the reader must be re-placed.
  Status ApplyBatch(const std::vector<kafka::ConsumedMessage>& batch);
  Status Skip(const kafka::ConsumedMessage& record, const Status& why);
  // Marks the view ready once every partition is at its target.
  Status MaybeCaughtUp();
  // Compares Redis's bookkeeping with ours (reset, rollback, new partitions).
  Status Check();
  Status Reassign();
  void Backoff(const std::atomic<bool>& stop, int failures);
  void SetReady(bool ready);
  void Rebuilt(const char* cause);

  std::unique_ptr<kafka::PartitionReader> reader_;
  ViewStore& store_;
  kafka::Producer& producer_;
  ApplyFn apply_;
  SizeFn size_;
  metrics::ServiceMetrics* metrics_;
  const Clock& clock_;
  TopicViewOptions options_;

  bool started_ = false;
  std::string epoch_;
  std::map<int32_t, int64_t> next_;     // next offset to apply, per partition
  std::vector<int64_t> targets_;        // end offsets when this build began
  std::atomic<bool> ready_{false};
};

}  // namespace leadflow::view

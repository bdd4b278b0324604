// Reading every partition of one topic from chosen offsets, outside any
// consumer group: no group membership, no rebalances, no committed offsets.
// The reader of a materialised view (see common/view/topic_view.h): the view
// keeps its own positions in Redis, next to its data, and tells the reader
// where to start.
//
// Not thread-safe: one thread drives it. Every call that talks to the
// brokers returns kUnavailable on a timeout or a broker error, so the caller
// can retry.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/kafka/message.h"
#include "common/util/status.h"

namespace leadflow::kafka {

struct PartitionReaderOptions {
  std::string brokers;
  std::map<std::string, std::string> extra_properties;  // security pass-through and tuning
  std::string topic;
  std::string client_id = "leadflow";
  // The consumer API needs a group id; it is never joined (assign() only) nor
  // committed to. Name it under the service's ACL prefix, e.g.
  // "leadflow-intake-view".
  std::string group_id = "leadflow-view";
  std::chrono::milliseconds timeout{10000};  // metadata and watermark queries
};

class PartitionReader {
 public:
  virtual ~PartitionReader() = default;
  // The high watermark of each partition now (index = partition), i.e. the
  // offset the next record will get. Empty when the topic does not exist yet.
  virtual StatusOr<std::vector<int64_t>> EndOffsets() = 0;
  // Reads every partition from `start[p]` (a missing partition or an offset
  // below the log start reads from the log start). Replaces any earlier
  // assignment, dropping records already fetched.
  virtual Status Assign(const std::map<int32_t, int64_t>& start) = 0;
  // Up to max_messages, waiting at most `timeout` for the first one.
  virtual std::vector<ConsumedMessage> Poll(size_t max_messages,
                                            std::chrono::milliseconds timeout) = 0;
  // How far each assigned partition has been read: past the last record
  // returned, or at the end offset the partition had when the reader last
  // reached its end (so trailing transaction markers and compacted gaps
  // count as read). A partition with neither yet is at its start offset.
  virtual std::map<int32_t, int64_t> Reached() const = 0;
};

StatusOr<std::unique_ptr<PartitionReader>> MakePartitionReader(const PartitionReaderOptions& options);

}  // namespace leadflow::kafka

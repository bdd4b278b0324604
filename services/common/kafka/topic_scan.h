// Reading a whole topic once, outside any consumer group: every partition
// from its beginning up to the high watermark taken when the scan starts.
// Used for crash recovery, e.g. nurture checks which in-doubt touches already
// reached nurture.touches before it re-sends them. Read-committed, no commits,
// no group membership. Blocking; call from one thread; no retries beyond
// librdkafka's own (a timeout is returned as kUnavailable).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "common/kafka/message.h"
#include "common/util/status.h"

namespace leadflow::kafka {

struct TopicScanOptions {
  std::string brokers;
  std::map<std::string, std::string> extra_properties;  // security pass-through
  std::string topic;
  std::chrono::milliseconds timeout{30000};
};

// Calls `visit` for every record of the topic present when the scan starts.
Status ScanTopic(const TopicScanOptions& options,
                 const std::function<void(const ConsumedMessage&)>& visit);

}  // namespace leadflow::kafka

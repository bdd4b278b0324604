// Parsing librdkafka's statistics JSON (statistics.interval.ms).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leadflow::kafka {

struct PartitionLag {
  std::string topic;
  int32_t partition = 0;
  int64_t lag = 0;
};

// The consumer_lag of every assigned partition in a statistics blob. Malformed
// JSON yields an empty list; partitions with unknown lag (-1) are skipped.
std::vector<PartitionLag> ParsePartitionLags(std::string_view stats_json);

}  // namespace leadflow::kafka

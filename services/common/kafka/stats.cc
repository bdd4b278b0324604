#include "common/kafka/stats.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

namespace leadflow::kafka {

std::vector<PartitionLag> ParsePartitionLags(std::string_view stats_json) {
  std::vector<PartitionLag> out;
  auto doc = nlohmann::json::parse(stats_json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("topics")) return out;
  for (auto& [topic, t] : doc["topics"].items()) {
    if (!t.is_object() || !t.contains("partitions")) continue;
    for (auto& [pid, p] : t["partitions"].items()) {
      int partition = std::atoi(pid.c_str());
      if (partition < 0 || !p.is_object()) continue;  // skip the internal "-1" partition
      int64_t lag = p.value("consumer_lag", int64_t{-1});
      if (lag >= 0) out.push_back({topic, partition, lag});
    }
  }
  return out;
}

}  // namespace leadflow::kafka

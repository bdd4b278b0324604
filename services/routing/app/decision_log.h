// The recorded routing decision of each lead: lf:{routing}:decision:<lead_id>,
// a serialized LeadAssigned (the whole scored lead while routing still acts on
// it, else slim with a TTL: decision_record.h). Claims record it
// (lead_claims.h); this reads it, swaps it and renews it.
//
// Threading: as thread-safe as redis::Client. Every method returns
// kUnavailable when Redis is unreachable or routing's state is being rebuilt.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/redis/client.h"
#include "leadflow/routing/v1/routing.pb.h"

namespace leadflow::routing {

struct StoredDecision {
  leadflow::routing::v1::LeadAssigned record;
  std::string raw;  // exact stored bytes, for compare-and-swap
};

class DecisionLog {
 public:
  explicit DecisionLog(redis::Client& redis) : redis_(redis) {}

  StatusOr<std::optional<StoredDecision>> Get(const std::string& lead_id);
  // Parses a stored decision (Internal naming the lead when corrupt).
  static StatusOr<StoredDecision> Parse(const std::string& lead_id, std::string raw);

  // Replaces the lead's record only while it is still `expected_raw`
  // (compare-and-swap), expiring after `ttl_seconds` (> 0) or never (0).
  // False when it changed meanwhile.
  StatusOr<bool> Replace(const std::string& lead_id, const std::string& expected_raw,
                         const std::string& new_raw, int64_t ttl_seconds);
  // Renews the TTL of the records and feedback of leads a rep held (closed or
  // rejected): a rescore that meets one keeps it for another sales cycle.
  Status RenewOwned(const std::vector<std::string>& lead_ids, int64_t ttl_seconds);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::routing

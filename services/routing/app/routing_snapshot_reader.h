// What routing decides on, read in one round trip: the state marker (a
// snapshot of a state being rebuilt is no snapshot: kUnavailable), a batch's
// recorded decisions (decision_log.h) and the load of the reps they can need
// (rep_load_store.h).
//
// Threading: as thread-safe as redis::Client.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/redis/client.h"
#include "routing/app/rep_load_store.h"
#include "routing/domain/rep_state.h"

namespace leadflow::routing {

struct RoutingSnapshot {
  std::vector<std::optional<std::string>> decisions;  // raw bytes; nullopt when none
  RepStateView reps;
};

class RoutingSnapshotReader {
 public:
  explicit RoutingSnapshotReader(redis::Client& redis) : redis_(redis) {}

  // Each lead's recorded decision and the state of `rep_ids` (with `day_of`
  // their daily-count day); either list may be empty (both: only the state
  // marker is checked).
  StatusOr<RoutingSnapshot> Read(const std::vector<std::string>& lead_ids,
                                 const std::vector<std::string>& rep_ids,
                                 const RepLoadStore::DayOf& day_of);
  StatusOr<RepStateView> LoadRepStates(const std::vector<std::string>& rep_ids,
                                       const RepLoadStore::DayOf& day_of);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::routing

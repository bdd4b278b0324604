// Each rep's load and availability, as routing decides on it:
//   lf:{routing}:open:<rep>              open leads of a rep
//   lf:{routing}:open-set:<rep>          lead ids open with a rep
//   lf:{routing}:daily:<yyyy-mm-dd>:<rep>  leads given on the rep's local day (3-day TTL)
//   lf:{routing}:availability            hash rep -> RepAvailability number
// and the out-of-office windows (out_of_office_store.h). Claims change the
// counts (lead_claims.h); RoutingSnapshotReader reads them in the same round
// trip as a batch's decisions, through AppendReads / ParseReads.
//
// Threading: as thread-safe as redis::Client.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/redis/client.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "routing/domain/rep_state.h"

namespace leadflow::routing {

class RepLoadStore {
 public:
  explicit RepLoadStore(redis::Client& redis) : redis_(redis) {}

  // Refused (kUnavailable) while routing's state is being rebuilt.
  Status SetAvailability(const std::string& rep_id, leadflow::routing::v1::RepAvailability a);
  // Lead ids currently open with a rep.
  StatusOr<std::vector<std::string>> OpenLeads(const std::string& rep_id);

  // The day whose count a rep's daily cap is checked against.
  using DayOf = std::function<std::string(const std::string& rep_id)>;
  // The commands that read `rep_ids`' state (appended to `cmds`, kReadCommands
  // of them), and the view from their replies starting at `first`.
  static constexpr size_t kReadCommands = 4;
  static void AppendReads(const std::vector<std::string>& rep_ids, const DayOf& day_of,
                          std::vector<redis::Command>& cmds);
  static StatusOr<RepStateView> ParseReads(const std::vector<std::string>& rep_ids,
                                           const std::vector<redis::Reply>& replies, size_t first);

  // The UTC day ("yyyy-mm-dd"): the daily-count day of reps without hours
  // (RepLocalDay gives every rep's own day).
  static std::string DayKey(std::chrono::system_clock::time_point now);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::routing

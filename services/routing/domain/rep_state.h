// The routing decision's view of sales capacity: each rep's availability and
// current load, read from Redis by the app before a decision.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "leadflow/routing/v1/routing.pb.h"
#include "routing/domain/out_of_office.h"

namespace leadflow::routing {

struct RepState {
  // UNSPECIFIED means "never set" and is treated as ACTIVE.
  leadflow::routing::v1::RepAvailability availability =
      leadflow::routing::v1::REP_AVAILABILITY_UNSPECIFIED;
  int open_leads = 0;
  int today_count = 0;
  // The rep's out-of-office windows (sorted); ended ones may still be listed.
  OutOfOffice out_of_office;
};

// Rep id -> state; a rep missing from the map is ACTIVE with no load.
class RepStateView {
 public:
  RepStateView() = default;
  explicit RepStateView(std::map<std::string, RepState> states) : states_(std::move(states)) {}

  RepState Get(const std::string& rep_id) const {
    auto it = states_.find(rep_id);
    return it == states_.end() ? RepState{} : it->second;
  }
  void Set(const std::string& rep_id, RepState s) { states_[rep_id] = s; }
  // Counts a rep claim made on this snapshot (one more open lead, one more
  // today), so the next decision on the same snapshot sees it.
  void CountClaim(const std::string& rep_id) {
    RepState& s = states_[rep_id];
    ++s.open_leads;
    ++s.today_count;
  }

  // Neither PAUSED (nor a legacy VACATION) nor inside an out-of-office window.
  static bool IsAvailable(const RepState& s, std::chrono::system_clock::time_point now) {
    return AwayReason(s, now).empty();
  }
  // Why the rep is away at `now`: "paused", "vacation" (a legacy record),
  // "out of office until 2026-12-31T09:00Z"; "" when available.
  static std::string AwayReason(const RepState& s, std::chrono::system_clock::time_point now);

 private:
  std::map<std::string, RepState> states_;
};

}  // namespace leadflow::routing

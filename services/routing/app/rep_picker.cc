#include "routing/app/rep_picker.h"

namespace leadflow::routing {

RepPicker::RepPicker(std::shared_ptr<const RoutingPolicy> policy, RoutingSnapshotReader& reads)
    : policy_(policy), reads_(reads), days_(policy), router_(policy) {}

StatusOr<RepStateView> RepPicker::LoadReps(std::chrono::system_clock::time_point now) {
  return reads_.LoadRepStates(policy_->AllRepIds(),
                              [&](const std::string& rep) { return days_.Day(rep, now); });
}

RoutingResult RepPicker::Decide(const leadflow::scoring::v1::LeadScored& lead,
                                const RepStateView& reps,
                                std::chrono::system_clock::time_point now) {
  std::lock_guard lock(router_mu_);
  return router_.Decide(lead, reps, now);
}

std::string RepPicker::PickRep(const leadflow::config::v1::Team& team, const RepStateView& reps,
                               std::chrono::system_clock::time_point now,
                               leadflow::routing::v1::Decision& decision,
                               const std::set<std::string>& exclude) {
  std::lock_guard lock(router_mu_);
  return router_.PickRep(team, reps, now, decision, exclude);
}

std::string RepPicker::Day(const std::string& rep_id,
                           std::chrono::system_clock::time_point now) const {
  return days_.Day(rep_id, now);
}

void RepPicker::FillLimits(const std::string& rep_id, std::chrono::system_clock::time_point now,
                           std::string* day, int* max_open, int* daily_cap) const {
  *day = Day(rep_id, now);
  const RepPolicy* rp = policy_->FindRep(rep_id);
  *max_open = rp != nullptr ? rp->rep->max_open_leads() : 0;
  *daily_cap = rp != nullptr ? rp->rep->daily_cap() : 0;
}

}  // namespace leadflow::routing

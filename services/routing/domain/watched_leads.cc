#include "routing/domain/watched_leads.h"

namespace leadflow::routing {
namespace {

namespace rv1 = leadflow::routing::v1;

std::string DoneKey(const rv1::LeadChange& c) {
  return c.lead_id() + "|" + c.rep_id() + "|" + std::to_string(c.version());
}

// A change after which the lead is no longer the stream's.
bool IsLast(const rv1::LeadChange& c) {
  return c.state() == rv1::SALES_REJECTED || c.state() == rv1::SALES_CLOSED ||
         c.state() == rv1::SALES_REASSIGNED_AWAY;
}

}  // namespace

bool WatchedLeads::ShouldSend(const rv1::LeadChange& c) {
  if (c.state() == rv1::SALES_STATE_UNSPECIFIED) return false;
  if (finished_.count(DoneKey(c))) return false;
  auto it = followed_.find(c.lead_id());
  if (it != followed_.end() && (c.version() < it->second.version ||
                                (c.version() == it->second.version &&
                                 c.state() == it->second.state && c.rep_id() == it->second.rep))) {
    return false;
  }
  if (IsLast(c)) {
    Finish(c);
  } else {
    followed_[c.lead_id()] = {c.state(), c.version(), c.rep_id()};
  }
  return true;
}

void WatchedLeads::Finish(const rv1::LeadChange& c) {
  followed_.erase(c.lead_id());
  finished_.insert(DoneKey(c));
  finished_order_.push_back(DoneKey(c));
  if (finished_order_.size() > kFinishedRemembered) {
    finished_.erase(finished_order_.front());
    finished_order_.pop_front();
  }
}

std::vector<std::string> WatchedLeads::Gone(const std::set<std::string>& seen) const {
  std::vector<std::string> gone;
  for (const auto& [lead_id, sent] : followed_) {
    if (!seen.count(lead_id) && sent.state != rv1::SALES_QUEUED) gone.push_back(lead_id);
  }
  return gone;
}

}  // namespace leadflow::routing

// An engagement store in memory, for hermetic unit tests: the same semantics
// as the Redis one (no TTL, no trimming). Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "scoring/app/engagement_store.h"

namespace leadflow::scoring {

class InMemoryEngagementStore final : public EngagementStore {
 public:
  StatusOr<Recorded> Record(const std::string& contact_id, const EngagementRecord& event) override;
  StatusOr<std::vector<EngagementRecord>> LinkLead(const std::string& contact_id,
                                                   const std::string& lead_id,
                                                   int64_t now_ms) override;
  StatusOr<std::vector<EngagementRecord>> Events(const std::string& contact_id) override;
  void SetUnavailable(bool down) {
    std::lock_guard<std::mutex> lock(mu_);
    down_ = down;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::map<std::string, EngagementRecord>> events_;  // contact -> id -> event
  std::map<std::string, std::pair<std::string, int64_t>> leads_;
  bool down_ = false;
};

inline StatusOr<EngagementStore::Recorded> InMemoryEngagementStore::Record(
    const std::string& contact_id, const EngagementRecord& event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory engagement store down");
  auto& events = events_[contact_id];
  Recorded r;
  r.added = events.emplace(event.event_id, event).second;
  if (auto it = leads_.find(contact_id); it != leads_.end()) {
    r.lead_id = it->second.first;
    r.linked_at_ms = it->second.second;
  }
  for (const auto& [id, e] : events) r.events.push_back(e);
  return r;
}

inline StatusOr<std::vector<EngagementRecord>> InMemoryEngagementStore::LinkLead(
    const std::string& contact_id, const std::string& lead_id, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory engagement store down");
  leads_[contact_id] = {lead_id, now_ms};
  std::vector<EngagementRecord> out;
  for (const auto& [id, e] : events_[contact_id]) out.push_back(e);
  return out;
}

inline StatusOr<std::vector<EngagementRecord>> InMemoryEngagementStore::Events(
    const std::string& contact_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory engagement store down");
  std::vector<EngagementRecord> out;
  if (auto it = events_.find(contact_id); it != events_.end()) {
    for (const auto& [id, e] : it->second) out.push_back(e);
  }
  return out;
}

}  // namespace leadflow::scoring

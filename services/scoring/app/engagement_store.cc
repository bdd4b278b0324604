#include "scoring/app/engagement_store.h"

namespace leadflow::scoring {
std::vector<StatusOr<EngagementStore::Recorded>> EngagementStore::RecordMany(
    const std::vector<ContactEvent>& events) {
  std::vector<StatusOr<Recorded>> out;
  out.reserve(events.size());
  for (const auto& e : events) out.push_back(Record(e.contact_id, e.event));
  return out;
}

std::vector<StatusOr<std::vector<EngagementRecord>>> EngagementStore::LinkMany(
    const std::vector<Link>& links) {
  std::vector<StatusOr<std::vector<EngagementRecord>>> out;
  out.reserve(links.size());
  for (const auto& l : links) out.push_back(LinkLead(l.contact_id, l.lead_id, l.now_ms));
  return out;
}

}  // namespace leadflow::scoring

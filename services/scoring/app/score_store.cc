#include "scoring/app/score_store.h"

namespace leadflow::scoring {

std::vector<Status> ScoreStore::PutMany(
    const std::vector<const leadflow::scoring::v1::LeadScored*>& scores) {
  std::vector<Status> out;
  out.reserve(scores.size());
  for (const auto* score : scores) out.push_back(Put(*score));
  return out;
}

std::vector<StatusOr<std::optional<leadflow::scoring::v1::LeadScored>>> ScoreStore::GetMany(
    const std::vector<std::string>& lead_ids) {
  std::vector<StatusOr<std::optional<leadflow::scoring::v1::LeadScored>>> out;
  out.reserve(lead_ids.size());
  for (const auto& id : lead_ids) out.push_back(Get(id));
  return out;
}

}  // namespace leadflow::scoring

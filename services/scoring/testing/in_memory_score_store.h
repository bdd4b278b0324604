// A score store in memory, for hermetic unit tests. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "scoring/app/score_store.h"

namespace leadflow::scoring {

class InMemoryScoreStore final : public ScoreStore {
 public:
  Status Put(const leadflow::scoring::v1::LeadScored& score) override;
  StatusOr<std::optional<leadflow::scoring::v1::LeadScored>> Get(
      const std::string& lead_id) override;
  void SetUnavailable(bool down) {
    std::lock_guard<std::mutex> lock(mu_);
    down_ = down;
  }

 private:
  std::mutex mu_;
  std::map<std::string, leadflow::scoring::v1::LeadScored> scores_;
  bool down_ = false;
};

inline Status InMemoryScoreStore::Put(const leadflow::scoring::v1::LeadScored& score) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory store down");
  auto& slot = scores_[score.lead().meta().lead_id()];
  if (score.revision() >= slot.revision()) slot = score;
  return Status::Ok();
}

inline StatusOr<std::optional<leadflow::scoring::v1::LeadScored>> InMemoryScoreStore::Get(
    const std::string& lead_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory store down");
  auto it = scores_.find(lead_id);
  if (it == scores_.end()) return std::optional<leadflow::scoring::v1::LeadScored>();
  return std::optional<leadflow::scoring::v1::LeadScored>(it->second);
}

}  // namespace leadflow::scoring

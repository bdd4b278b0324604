// The score store in Redis (score_store.h has the layout): a batch's puts are
// one EvalMany of put_score.lua, its reads one pipeline of HGETs. Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/redis/client.h"
#include "scoring/app/score_store.h"

namespace leadflow::scoring {

class RedisScoreStore final : public ScoreStore {
 public:
  explicit RedisScoreStore(redis::Client& redis, std::chrono::seconds ttl = kScoringStateTtl)
      : redis_(redis), ttl_(ttl) {}
  Status Put(const leadflow::scoring::v1::LeadScored& score) override;
  StatusOr<std::optional<leadflow::scoring::v1::LeadScored>> Get(
      const std::string& lead_id) override;
  std::vector<Status> PutMany(
      const std::vector<const leadflow::scoring::v1::LeadScored*>& scores) override;
  std::vector<StatusOr<std::optional<leadflow::scoring::v1::LeadScored>>> GetMany(
      const std::vector<std::string>& lead_ids) override;
  static std::string Key(const std::string& lead_id) {
    return "lf:scoring:{l:" + lead_id + "}:score";
  }

 private:
  redis::Client& redis_;
  std::chrono::seconds ttl_;
};

}  // namespace leadflow::scoring

// The engagement store in Redis (engagement_store.h has the layout): each
// batch is one EvalMany of record_engagement.lua or link_contact_lead.lua.
// Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/redis/client.h"
#include "scoring/app/engagement_store.h"
#include "scoring/app/score_store.h"

namespace leadflow::scoring {

struct EngagementStoreOptions {
  std::chrono::seconds ttl = kScoringStateTtl;
  int max_events = 1000;
};

class RedisEngagementStore final : public EngagementStore {
 public:
  explicit RedisEngagementStore(redis::Client& redis, EngagementStoreOptions options = {});
  StatusOr<Recorded> Record(const std::string& contact_id, const EngagementRecord& event) override;
  StatusOr<std::vector<EngagementRecord>> LinkLead(const std::string& contact_id,
                                                   const std::string& lead_id,
                                                   int64_t now_ms) override;
  StatusOr<std::vector<EngagementRecord>> Events(const std::string& contact_id) override;
  std::vector<StatusOr<Recorded>> RecordMany(const std::vector<ContactEvent>& events) override;
  std::vector<StatusOr<std::vector<EngagementRecord>>> LinkMany(
      const std::vector<Link>& links) override;

  static std::string EventsKey(const std::string& contact_id) {
    return "lf:scoring:{c:" + contact_id + "}:events";
  }
  static std::string LeadKey(const std::string& contact_id) {
    return "lf:scoring:{c:" + contact_id + "}:lead";
  }

 private:
  redis::Client& redis_;
  EngagementStoreOptions options_;
  redis::Script record_;  // record_engagement.lua
  redis::Script link_;    // link_contact_lead.lua
};

}  // namespace leadflow::scoring

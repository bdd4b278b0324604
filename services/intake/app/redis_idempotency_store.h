// The dedupe claims in Redis (idempotency_store.h): a batch's claims are one
// call of idempotency_claim.lua, which also lists each won claim in its
// contact's index (redis_contact_index.h) in the same atomic step.
// Retries are the Redis client's (one reconnect). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/redis/client.h"
#include "intake/app/idempotency_store.h"

namespace leadflow::intake {

// The production store. Retries are the Redis client's (one reconnect).
class RedisIdempotencyStore final : public IdempotencyStore {
 public:
  explicit RedisIdempotencyStore(redis::Client& redis);
  StatusOr<ClaimResult> Claim(const std::string& key, const std::string& value,
                              int64_t ttl_seconds) override;
  // All claims in one script call (Redis runs them in order; every key is
  // under the {intake} hash tag, so one slot); a claim that fails in Redis
  // fails alone.
  std::vector<StatusOr<ClaimResult>> ClaimMany(const std::vector<ClaimRequest>& requests) override;
  Status Release(const std::string& key, const std::string& value) override;
  bool IndexesContacts() const override { return true; }
  static std::string RedisKey(const std::string& key) { return "lf:{intake}:idem:" + key; }

 private:
  redis::Client& redis_;
  redis::Script claim_;    // idempotency_claim.lua
  redis::Script release_;  // idempotency_release.lua
};

}  // namespace leadflow::intake

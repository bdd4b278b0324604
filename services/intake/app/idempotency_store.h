// Dedupe claims for submissions: "the first one with this key wins".
//
// A claim is SET lf:{intake}:idem:<key> <value> NX EX <ttl> (atomic in one Lua
// script that also returns the current holder), so two concurrent identical
// submissions yield exactly one winner. Values are opaque to the store; the
// processor stores "<lead_id>|<origin>" (see IntakeProcessor). A won claim
// that names its contact is also listed in the contact index (contact_index.h)
// by the same script, so an erasure finds every claim that exists.
// Implementations are thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/redis/client.h"
#include "common/util/clock.h"
#include "common/util/status.h"

namespace leadflow::intake {

struct ClaimResult {
  bool claimed = false;  // true: this caller holds the key now
  std::string holder;    // the value stored under the key (ours when claimed)
};

struct ClaimRequest {
  std::string key;
  std::string value;
  int64_t ttl_seconds = 0;
  // The contact whose index lists this claim once won (stores that
  // IndexesContacts()); "" = not indexed.
  std::string contact_id = {};
};

class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;
  // Claims `key` with `value` for ttl_seconds unless someone holds it.
  // kUnavailable when the backing store cannot be reached.
  virtual StatusOr<ClaimResult> Claim(const std::string& key, const std::string& value,
                                      int64_t ttl_seconds) = 0;
  // Claim() of each request, in order (a key claimed by an earlier request is
  // held for a later one with the same key): one result per request. This
  // default calls Claim() one by one; the Redis store sends one request.
  virtual std::vector<StatusOr<ClaimResult>> ClaimMany(const std::vector<ClaimRequest>& requests);
  // Gives the key up iff it still holds `value` (after a failed publish, so
  // that the client's retry is not mistaken for a duplicate).
  virtual Status Release(const std::string& key, const std::string& value) = 0;
  // True: ClaimMany lists each won claim that names a contact in the contact
  // index in the same atomic step, so the caller does not Remember() it.
  virtual bool IndexesContacts() const { return false; }
};

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

// An in-process store for hermetic unit tests; honours the TTL on `clock`.
class InMemoryIdempotencyStore final : public IdempotencyStore {
 public:
  explicit InMemoryIdempotencyStore(const Clock& clock) : clock_(clock) {}
  StatusOr<ClaimResult> Claim(const std::string& key, const std::string& value,
                              int64_t ttl_seconds) override;
  Status Release(const std::string& key, const std::string& value) override;
  // Makes every call fail with kUnavailable (simulates Redis down).
  void SetUnavailable(bool down) {
    std::lock_guard<std::mutex> lock(mu_);
    down_ = down;
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    std::string value;
    int64_t expires_ms;
  };
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  bool down_ = false;
};

}  // namespace leadflow::intake

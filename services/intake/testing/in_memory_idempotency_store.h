// Dedupe claims in memory, for hermetic unit tests; honours the TTL on the
// clock. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "common/util/clock.h"
#include "intake/app/idempotency_store.h"

namespace leadflow::intake {

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

inline StatusOr<ClaimResult> InMemoryIdempotencyStore::Claim(const std::string& key,
                                                             const std::string& value,
                                                             int64_t ttl_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory store down");
  const int64_t now = clock_.NowMillis();
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.expires_ms > now) {
    return ClaimResult{false, it->second.value};
  }
  entries_[key] = Entry{value, now + ttl_seconds * 1000};
  return ClaimResult{true, value};
}

inline Status InMemoryIdempotencyStore::Release(const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory store down");
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.value == value) entries_.erase(it);
  return Status::Ok();
}

}  // namespace leadflow::intake

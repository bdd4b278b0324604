#include "intake/app/idempotency_store.h"

namespace leadflow::intake {
namespace {

redis::Script& ClaimScript() {
  // KEYS: idem key; ARGV: value, ttl seconds. Returns {1, value} or {0, holder}.
  static redis::Script script(R"lua(
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return {1, ARGV[1]}
end
return {0, redis.call('GET', KEYS[1]) or ''}
)lua");
  return script;
}

redis::Script& ReleaseScript() {
  static redis::Script script(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua");
  return script;
}

StatusOr<ClaimResult> ClaimFromReply(const redis::Reply& reply) {
  if (reply.is_error()) return Status::Unavailable("dedupe claim: " + reply.str);
  if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != 2) {
    return Status::Internal("dedupe claim: unexpected reply");
  }
  ClaimResult out;
  out.claimed = reply.elements[0].integer == 1;
  out.holder = reply.elements[1].str;
  return out;
}

}  // namespace

std::vector<StatusOr<ClaimResult>> IdempotencyStore::ClaimMany(
    const std::vector<ClaimRequest>& requests) {
  std::vector<StatusOr<ClaimResult>> out;
  out.reserve(requests.size());
  for (const auto& r : requests) out.push_back(Claim(r.key, r.value, r.ttl_seconds));
  return out;
}

StatusOr<ClaimResult> RedisIdempotencyStore::Claim(const std::string& key, const std::string& value,
                                                   int64_t ttl_seconds) {
  return std::move(ClaimMany({ClaimRequest{key, value, ttl_seconds}}).front());
}

std::vector<StatusOr<ClaimResult>> RedisIdempotencyStore::ClaimMany(
    const std::vector<ClaimRequest>& requests) {
  std::vector<redis::ScriptCall> calls;
  calls.reserve(requests.size());
  for (const auto& r : requests) {
    calls.push_back({{RedisKey(r.key)}, {r.value, std::to_string(r.ttl_seconds)}});
  }
  std::vector<StatusOr<ClaimResult>> out;
  out.reserve(requests.size());
  if (calls.empty()) return out;
  auto replies = redis_.EvalMany(ClaimScript(), calls);
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!replies.ok()) {
      out.push_back(Status::Unavailable("dedupe claim: " + replies.status().message()));
    } else {
      out.push_back(ClaimFromReply((*replies)[i]));
    }
  }
  return out;
}

Status RedisIdempotencyStore::Release(const std::string& key, const std::string& value) {
  auto reply = redis_.Eval(ReleaseScript(), {RedisKey(key)}, {value});
  if (!reply.ok()) return Status::Unavailable("dedupe release: " + reply.status().message());
  if (reply->is_error()) return Status::Unavailable("dedupe release: " + reply->str);
  return Status::Ok();
}

StatusOr<ClaimResult> InMemoryIdempotencyStore::Claim(const std::string& key,
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

Status InMemoryIdempotencyStore::Release(const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (down_) return Status::Unavailable("in-memory store down");
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.value == value) entries_.erase(it);
  return Status::Ok();
}

}  // namespace leadflow::intake

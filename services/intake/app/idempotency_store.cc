#include "intake/app/idempotency_store.h"

#include "intake/app/contact_index.h"

namespace leadflow::intake {
namespace {

redis::Script& ClaimScript() {
  // KEYS: per claim its idem key and its contact's index key (2 per claim).
  // ARGV: per claim value, ttl seconds, index member ("" = not indexed).
  // Returns per claim {1, value} (won; indexed, the index's TTL refreshed to
  // the claim's) or {0, holder}, or an error reply for that claim alone (a
  // claim won but not indexed is given up again).
  static redis::Script script(R"lua(
local function claim(idem, index, value, ttl, member)
  if not redis.call('SET', idem, value, 'NX', 'EX', ttl) then
    return {0, redis.call('GET', idem) or ''}
  end
  if member ~= '' then
    local ok, e = pcall(function()
      redis.call('SADD', index, member)
      redis.call('EXPIRE', index, ttl)
    end)
    if not ok then
      redis.call('DEL', idem)
      error(e)
    end
  end
  return {1, value}
end
local out = {}
for i = 1, #KEYS / 2 do
  local ok, r = pcall(claim, KEYS[2 * i - 1], KEYS[2 * i], ARGV[3 * i - 2], ARGV[3 * i - 1],
                      ARGV[3 * i])
  if ok then
    out[i] = r
  elseif type(r) == 'table' and r.err then
    out[i] = r
  else
    out[i] = {err = tostring(r)}
  end
end
return out
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
  std::vector<StatusOr<ClaimResult>> out;
  if (requests.empty()) return out;
  std::vector<std::string> keys, args;
  keys.reserve(2 * requests.size());
  args.reserve(3 * requests.size());
  for (const auto& r : requests) {
    keys.push_back(RedisKey(r.key));
    keys.push_back(RedisContactIndex::Key(r.contact_id));
    args.push_back(r.value);
    args.push_back(std::to_string(r.ttl_seconds));
    args.push_back(r.contact_id.empty() ? std::string() : r.key);
  }
  auto reply = redis_.Eval(ClaimScript(), keys, args);
  out.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!reply.ok()) {
      out.push_back(Status::Unavailable("dedupe claim: " + reply.status().message()));
    } else if (reply->is_error()) {
      out.push_back(Status::Unavailable("dedupe claim: " + reply->str));
    } else if (i >= reply->elements.size()) {
      out.push_back(Status::Internal("dedupe claim: unexpected reply"));
    } else {
      out.push_back(ClaimFromReply(reply->elements[i]));
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

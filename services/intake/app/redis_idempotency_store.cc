#include "intake/app/redis_idempotency_store.h"

#include "common/redis/reply.h"
#include "idempotency_claim.lua.h"
#include "idempotency_release.lua.h"
#include "intake/app/redis_contact_index.h"

namespace leadflow::intake {
namespace {

// The claim script's stride, passed to it (idempotency_claim.lua).
constexpr size_t kKeysPerClaim = 2;
constexpr size_t kArgsPerClaim = 3;

StatusOr<ClaimResult> ClaimFromReply(const redis::Reply& reply) {
  if (Status s = redis::ExpectArray(reply, 2, "dedupe claim"); !s.ok()) return s;
  auto claimed = redis::ExpectInteger(reply.elements[0], "dedupe claim");
  if (!claimed.ok()) return claimed.status();
  auto holder = redis::ExpectString(reply.elements[1], "dedupe claim");
  if (!holder.ok()) return holder.status();
  return ClaimResult{*claimed == 1, std::move(*holder)};
}

}  // namespace

RedisIdempotencyStore::RedisIdempotencyStore(redis::Client& redis)
    : redis_(redis),
      claim_(std::string(lua::kIdempotencyClaim)),
      release_(std::string(lua::kIdempotencyRelease)) {}

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
  std::vector<std::string> keys, args{std::to_string(kKeysPerClaim), std::to_string(kArgsPerClaim)};
  keys.reserve(kKeysPerClaim * requests.size());
  args.reserve(2 + kArgsPerClaim * requests.size());
  for (const auto& r : requests) {
    keys.push_back(RedisKey(r.key));
    keys.push_back(RedisContactIndex::Key(r.contact_id));
    args.push_back(r.value);
    args.push_back(std::to_string(r.ttl_seconds));
    args.push_back(r.contact_id.empty() ? std::string() : r.key);
  }
  auto reply = redis_.Eval(claim_, keys, args);
  Status whole = reply.ok() ? redis::ExpectArray(*reply, "dedupe claim")
                            : Status::Unavailable("dedupe claim: " + reply.status().message());
  out.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!whole.ok()) {
      out.push_back(whole);
    } else if (i >= reply->elements.size()) {
      out.push_back(Status::Internal("dedupe claim: unexpected reply"));
    } else {
      out.push_back(ClaimFromReply(reply->elements[i]));
    }
  }
  return out;
}

Status RedisIdempotencyStore::Release(const std::string& key, const std::string& value) {
  auto reply = redis_.Eval(release_, {RedisKey(key)}, {value});
  if (!reply.ok()) return Status::Unavailable("dedupe release: " + reply.status().message());
  return redis::ExpectOk(*reply, "dedupe release");
}

}  // namespace leadflow::intake

#include "intake/app/redis_contact_index.h"

#include "common/redis/reply.h"
#include "intake/app/redis_idempotency_store.h"

namespace leadflow::intake {
namespace {

Status Check(const StatusOr<redis::Reply>& r, const std::string& what) {
  if (!r.ok()) return Status::Unavailable("contact index " + what + ": " + r.status().message());
  return redis::ExpectOk(*r, "contact index " + what);
}

}  // namespace

Status RedisContactIndex::Remember(const std::string& contact_id,
                                   const std::string& idempotency_key, int64_t ttl_seconds) {
  return RememberMany({ContactClaim{contact_id, idempotency_key, ttl_seconds}}).front();
}

// SADD and EXPIRE of every entry in one pipelined round trip.
std::vector<Status> RedisContactIndex::RememberMany(const std::vector<ContactClaim>& claims) {
  std::vector<redis::Command> commands;
  commands.reserve(2 * claims.size());
  for (const auto& c : claims) {
    commands.push_back({"SADD", Key(c.contact_id), c.idempotency_key});
    commands.push_back({"EXPIRE", Key(c.contact_id), std::to_string(c.ttl_seconds)});
  }
  std::vector<Status> out(claims.size());
  if (commands.empty()) return out;
  auto r = redis_.Pipeline(commands);
  for (size_t i = 0; i < claims.size(); ++i) {
    if (!r.ok()) {
      out[i] = Status::Unavailable("contact index: " + r.status().message());
      continue;
    }
    out[i] = redis::ExpectOk((*r)[2 * i], "contact index SADD");
    if (out[i].ok()) out[i] = redis::ExpectOk((*r)[2 * i + 1], "contact index EXPIRE");
  }
  return out;
}

Status RedisContactIndex::Erase(const leadflow::privacy::v1::ContactErasure& erasure) {
  const std::string index = Key(erasure.contact_id());
  auto members = redis_.Run({"SMEMBERS", index});
  if (Status s = Check(members, "SMEMBERS"); !s.ok()) return s;
  redis::Command del{"DEL"};
  for (const auto& m : members->elements) del.push_back(RedisIdempotencyStore::RedisKey(m.str));
  // The claims first, the index last: a failure in between leaves the index
  // for the redelivered erasure to finish.
  if (del.size() > 1) {
    if (Status s = Check(redis_.Run(del), "DEL claims"); !s.ok()) return s;
  }
  return Check(redis_.Run({"DEL", index}), "DEL");
}

}  // namespace leadflow::intake

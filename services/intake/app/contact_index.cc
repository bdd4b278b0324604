#include "intake/app/contact_index.h"

#include "intake/app/idempotency_store.h"

namespace leadflow::intake {
namespace {

Status Check(const StatusOr<redis::Reply>& r, const std::string& what) {
  if (!r.ok()) return Status::Unavailable("contact index " + what + ": " + r.status().message());
  if (r->is_error()) return Status::Unavailable("contact index " + what + ": " + r->str);
  return Status::Ok();
}

}  // namespace

Status RedisContactIndex::Remember(const std::string& contact_id,
                                   const std::string& idempotency_key, int64_t ttl_seconds) {
  auto r = redis_.Pipeline({{"SADD", Key(contact_id), idempotency_key},
                            {"EXPIRE", Key(contact_id), std::to_string(ttl_seconds)}});
  if (!r.ok()) return Status::Unavailable("contact index: " + r.status().message());
  for (const auto& reply : *r) {
    if (reply.is_error()) return Status::Unavailable("contact index: " + reply.str);
  }
  return Status::Ok();
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

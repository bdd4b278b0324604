// Intake's contact index, for erasure: which dedupe claims
// (lf:{intake}:idem:<key>, see RedisIdempotencyStore) belong to a contact.
// The claim keys are hashes of (contact, form, time window) or of a client
// key, so without this index a contact's dedupe data could not be found.
//
//   lf:{intake}:contact:<contact_id>   set of idempotency keys (not the Redis
//                                      key names, the <key> part); its TTL is
//                                      refreshed to the dedupe window on every
//                                      add, so it never outlives its claims by
//                                      more than one window.
//
// The Redis claim script (RedisIdempotencyStore) adds each won claim to its
// contact's index in the same step as the claim; IntakeProcessor calls
// Remember() after the claims only for a store that does not
// (IndexesContacts()). Erase() deletes every listed claim, then the index
// (idempotent: a redelivered erasure deletes nothing more). Retries: none here; a Redis
// failure is kUnavailable. Thread-safe as far as redis::Client is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/util/status.h"

namespace leadflow::intake {

struct ContactClaim {
  std::string contact_id;
  std::string idempotency_key;
  int64_t ttl_seconds = 0;
};

class ContactIndex {
 public:
  virtual ~ContactIndex() = default;
  // Records that the claim `idempotency_key` belongs to `contact_id`.
  virtual Status Remember(const std::string& contact_id, const std::string& idempotency_key,
                          int64_t ttl_seconds) = 0;
  // Remember() of each entry (a consumer batch), one status per entry. This
  // default calls Remember() one by one; the Redis index sends one request.
  virtual std::vector<Status> RememberMany(const std::vector<ContactClaim>& claims);
};

}  // namespace leadflow::intake

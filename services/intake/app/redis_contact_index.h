// The contact index in Redis (contact_index.h): a set of idempotency keys
// per contact, lf:{intake}:contact:<contact id>; it also erases a contact's
// claims (privacy.erasure). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/privacy/erasure_handler.h"
#include "common/redis/client.h"
#include "intake/app/contact_index.h"

namespace leadflow::intake {

class RedisContactIndex final : public ContactIndex, public privacy::ContactEraser {
 public:
  explicit RedisContactIndex(redis::Client& redis) : redis_(redis) {}
  Status Remember(const std::string& contact_id, const std::string& idempotency_key,
                  int64_t ttl_seconds) override;
  std::vector<Status> RememberMany(const std::vector<ContactClaim>& claims) override;
  // Deletes the contact's dedupe claims and its index entry.
  Status Erase(const leadflow::privacy::v1::ContactErasure& erasure) override;
  static std::string Key(const std::string& contact_id) {
    return "lf:{intake}:contact:" + contact_id;
  }

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::intake

// Contact ids are keyed: "c-" + the first 16 hex digits of
// HMAC-SHA-256(key, contact_key), where contact_key is the normalised email,
// or the E.164 phone when there is no email. Without the key nobody can
// compute a contact's id from an email (an unkeyed hash could be, and was,
// reversed into "which id is this email"). The key is a secret
// (LEADFLOW_CONTACT_ID_KEY, from a Secret in Kubernetes; docs/security.md).
// Changing it gives every contact a new id: do it only with a re-keying plan.
//
// Immutable; thread-safe. The key is never logged.
#pragma once

#include <string>
#include <string_view>

#include "common/util/status.h"

namespace leadflow::intake {

class ContactIdKey {
 public:
  static constexpr size_t kMinBytes = 32;

  // kInvalidArgument naming LEADFLOW_CONTACT_ID_KEY when `secret` is shorter
  // than kMinBytes (e.g. unset).
  static StatusOr<ContactIdKey> Create(std::string secret);

  // "c-" + 16 lower-case hex digits.
  std::string ContactIdFor(std::string_view contact_key) const;

 private:
  explicit ContactIdKey(std::string secret) : secret_(std::move(secret)) {}
  std::string secret_;
};

}  // namespace leadflow::intake

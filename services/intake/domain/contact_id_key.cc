#include "intake/domain/contact_id_key.h"

#include "common/auth/sha256.h"

namespace leadflow::intake {

StatusOr<ContactIdKey> ContactIdKey::Create(std::string secret) {
  if (secret.size() < kMinBytes) {
    return Status::InvalidArgument(
        "LEADFLOW_CONTACT_ID_KEY: the contact-id key must be at least " +
        std::to_string(kMinBytes) + " bytes (got " + std::to_string(secret.size()) +
        "); generate one with: openssl rand -hex 32");
  }
  return ContactIdKey(std::move(secret));
}

std::string ContactIdKey::ContactIdFor(std::string_view contact_key) const {
  return "c-" + auth::HmacSha256Hex(secret_, contact_key).substr(0, 16);
}

}  // namespace leadflow::intake

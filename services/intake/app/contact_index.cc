#include "intake/app/contact_index.h"

namespace leadflow::intake {
std::vector<Status> ContactIndex::RememberMany(const std::vector<ContactClaim>& claims) {
  std::vector<Status> out;
  out.reserve(claims.size());
  for (const auto& c : claims)
    out.push_back(Remember(c.contact_id, c.idempotency_key, c.ttl_seconds));
  return out;
}

}  // namespace leadflow::intake

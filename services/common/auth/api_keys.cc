#include "common/auth/api_keys.h"

#include <cctype>

#include "common/auth/sha256.h"

namespace leadflow::auth {

StatusOr<ApiKeyRegistry> ApiKeyRegistry::Create(const std::vector<Entry>& entries) {
  ApiKeyRegistry r;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string at = "[" + std::to_string(i) + "]";
    const Entry& e = entries[i];
    if (e.principal.empty()) return Status::InvalidArgument(at + ".principal: must not be empty");
    if (e.key_sha256_hex.empty()) continue;
    if (!IsSha256Hex(e.key_sha256_hex)) {
      return Status::InvalidArgument(at + ".key_sha256_hex: must be 64 hex digits");
    }
    std::string digest = e.key_sha256_hex;
    for (char& c : digest) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = r.by_digest_.emplace(digest, e.principal);
    if (!inserted && it->second != e.principal) {
      return Status::InvalidArgument(at + ".key_sha256_hex: the same key is used by another entry");
    }
  }
  return r;
}

std::optional<std::string> ApiKeyRegistry::Authenticate(std::string_view presented_key) const {
  if (presented_key.empty() || presented_key.size() > 4096) return std::nullopt;
  auto it = by_digest_.find(Sha256Hex(presented_key));
  if (it == by_digest_.end()) return std::nullopt;
  return it->second;
}

}  // namespace leadflow::auth

// Per-principal API keys stored only as SHA-256 hex digests (configuration
// never holds a key in clear). A presented key is hashed and looked up; the
// principal (e.g. an intake source id) it belongs to is returned.
//
// Immutable after Create(); Authenticate() is thread-safe. No key, digest or
// principal is ever logged here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/util/status.h"

namespace leadflow::auth {

class ApiKeyRegistry {
 public:
  struct Entry {
    std::string principal;
    std::string key_sha256_hex;  // 64 hex digits; empty = this principal has no key
  };

  // kInvalidArgument naming the entry ("[2].key_sha256_hex: ...") for a
  // malformed digest, an empty principal, or one digest shared by two
  // principals. Entries without a digest are skipped (they cannot log in).
  static StatusOr<ApiKeyRegistry> Create(const std::vector<Entry>& entries);

  // The principal whose key is `presented_key`; nullopt for an empty or
  // unknown key.
  std::optional<std::string> Authenticate(std::string_view presented_key) const;

  size_t size() const { return by_digest_.size(); }

 private:
  std::unordered_map<std::string, std::string> by_digest_;  // lower-case hex -> principal
};

// The API key of a request: header/metadata "x-api-key", else an
// "authorization: Bearer <key>" value. `lookup` returns the value of a
// lower-case header name, or nullopt.
template <typename Lookup>
std::optional<std::string> ExtractApiKey(const Lookup& lookup) {
  if (std::optional<std::string> v = lookup("x-api-key"); v && !v->empty()) return v;
  if (std::optional<std::string> v = lookup("authorization"); v) {
    constexpr std::string_view kBearer = "Bearer ";
    if (v->size() > kBearer.size() && v->compare(0, kBearer.size(), kBearer) == 0) {
      return v->substr(kBearer.size());
    }
  }
  return std::nullopt;
}

}  // namespace leadflow::auth

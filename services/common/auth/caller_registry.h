// The callers of a service's gRPC API and their scopes (callers.json, see
// docs/security.md): a caller is identified by an API key (stored only as its
// SHA-256, checked through ApiKeyRegistry) or by the subject CN of a verified
// client certificate, and holds a set of scopes.
//
// Closed by default: an empty registry identifies nobody, so every call is
// refused. Immutable after Create(); thread-safe. Keys, digests and CNs are
// never logged.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/auth/api_keys.h"
#include "common/util/status.h"

namespace leadflow::auth {

struct ServiceCaller {
  std::string id;
  std::set<std::string, std::less<>> scopes;
  std::string rep_id;  // for scopes that act on a rep's own accounts; may be empty

  bool Has(std::string_view scope) const { return scopes.count(scope) > 0; }
};

class CallerRegistry {
 public:
  struct Entry {
    std::string caller_id;
    std::string api_key_sha256;  // 64 hex digits, or empty
    std::string client_cert_cn;  // or empty; at least one of the two
    std::vector<std::string> scopes;
    std::string rep_id;
  };

  // kInvalidArgument naming the field ("callers[1].scopes[0]: unknown scope
  // x") for an empty or repeated caller_id, a caller with neither key nor CN,
  // a malformed or shared digest, a CN used twice, no scopes, a scope not in
  // `known_scopes`, or a scope ending in "-own" without a rep_id.
  static StatusOr<CallerRegistry> Create(const std::vector<Entry>& entries,
                                         const std::vector<std::string_view>& known_scopes);

  // The caller owning `api_key` (when one is presented), else the caller
  // whose client_cert_cn is `cert_cn` (the verified peer's CN; empty = none).
  std::optional<ServiceCaller> Identify(const std::optional<std::string>& api_key,
                                        const std::string& cert_cn) const;

  size_t size() const { return by_id_.size(); }

 private:
  CallerRegistry() = default;
  std::optional<ApiKeyRegistry> keys_;
  std::map<std::string, ServiceCaller> by_id_;
  std::map<std::string, std::string> by_cn_;  // CN -> caller id
};

}  // namespace leadflow::auth

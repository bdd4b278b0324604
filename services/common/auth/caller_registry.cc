#include "common/auth/caller_registry.h"

#include <algorithm>

namespace leadflow::auth {
namespace {

Status Invalid(const std::string& field, const std::string& what) {
  return Status::InvalidArgument(field + ": " + what);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

StatusOr<CallerRegistry> CallerRegistry::Create(const std::vector<Entry>& entries,
                                                const std::vector<std::string_view>& known_scopes) {
  CallerRegistry r;
  std::vector<ApiKeyRegistry::Entry> keys;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    const std::string field = "callers[" + std::to_string(i) + "]";
    if (e.caller_id.empty()) return Invalid(field + ".caller_id", "required");
    if (r.by_id_.count(e.caller_id)) return Invalid(field + ".caller_id", "repeated");
    if (e.api_key_sha256.empty() && e.client_cert_cn.empty()) {
      return Invalid(field, "needs api_key_sha256 or client_cert_cn");
    }
    if (e.scopes.empty()) return Invalid(field + ".scopes", "at least one scope is required");
    ServiceCaller caller{e.caller_id, {}, e.rep_id};
    for (size_t s = 0; s < e.scopes.size(); ++s) {
      const std::string at = field + ".scopes[" + std::to_string(s) + "]";
      if (std::find(known_scopes.begin(), known_scopes.end(), e.scopes[s]) == known_scopes.end()) {
        return Invalid(at, "unknown scope " + e.scopes[s]);
      }
      if (EndsWith(e.scopes[s], "-own") && e.rep_id.empty()) {
        return Invalid(at, e.scopes[s] + " acts on the caller's own accounts and needs rep_id");
      }
      caller.scopes.insert(e.scopes[s]);
    }
    if (!e.client_cert_cn.empty() && !r.by_cn_.emplace(e.client_cert_cn, e.caller_id).second) {
      return Invalid(field + ".client_cert_cn", "used by two callers");
    }
    keys.push_back({e.caller_id, e.api_key_sha256});
    r.by_id_.emplace(e.caller_id, std::move(caller));
  }
  auto registry = ApiKeyRegistry::Create(keys);
  if (!registry.ok()) return Invalid("callers", registry.status().message());
  r.keys_ = std::move(*registry);
  return r;
}

std::optional<ServiceCaller> CallerRegistry::Identify(const std::optional<std::string>& api_key,
                                                      const std::string& cert_cn) const {
  std::optional<std::string> id;
  if (api_key && keys_) id = keys_->Authenticate(*api_key);
  if (!id && !cert_cn.empty()) {
    if (auto it = by_cn_.find(cert_cn); it != by_cn_.end()) id = it->second;
  }
  if (!id) return std::nullopt;
  return by_id_.at(*id);
}

}  // namespace leadflow::auth

#include "routing/app/caller_auth.h"

#include "common/auth/registry_caller_identifier.h"

namespace leadflow::routing {
namespace {

Status Invalid(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("routing rules: " + field + ": " + what);
}

}  // namespace

StatusOr<std::shared_ptr<const CallerAuth>> CallerAuth::Create(const RoutingPolicy& policy) {
  std::shared_ptr<CallerAuth> a(new CallerAuth());
  for (const auto& team : policy.rules().teams()) {
    for (const auto& rep : team.reps()) a->team_of_rep_[rep.rep_id()] = team.team_id();
  }
  std::vector<auth::ApiKeyRegistry::Entry> entries;
  const auto& callers = policy.rules().callers();
  for (int i = 0; i < callers.size(); ++i) {
    const auto& c = callers[i];
    const std::string field = "callers[" + std::to_string(i) + "]";
    if (c.caller_id().empty()) return Invalid(field + ".caller_id", "required");
    if (a->by_id_.count(c.caller_id())) return Invalid(field + ".caller_id", "repeated");
    if (c.api_key_sha256().empty() && c.client_cert_cn().empty()) {
      return Invalid(field, "needs api_key_sha256 or client_cert_cn");
    }
    if (c.teams().empty() && c.scopes().empty()) {
      return Invalid(field + ".teams", "at least one team (or scope) is required");
    }
    Caller caller{c.caller_id(), {}, {}};
    for (int k = 0; k < c.scopes().size(); ++k) {
      if (c.scopes(k) != kSimulateRulesScope) {
        return Invalid(field + ".scopes[" + std::to_string(k) + "]",
                       "unknown scope " + c.scopes(k) + " (known: " +
                           std::string(kSimulateRulesScope) + ")");
      }
      caller.scopes.insert(c.scopes(k));
    }
    for (int t = 0; t < c.teams().size(); ++t) {
      if (policy.FindTeam(c.teams(t)) == nullptr) {
        return Invalid(field + ".teams[" + std::to_string(t) + "]", "unknown team " + c.teams(t));
      }
      caller.teams.insert(c.teams(t));
    }
    if (!c.client_cert_cn().empty() && !a->by_cn_.emplace(c.client_cert_cn(), c.caller_id()).second) {
      return Invalid(field + ".client_cert_cn", "used by two callers");
    }
    entries.push_back({c.caller_id(), c.api_key_sha256()});
    a->by_id_[c.caller_id()] = std::move(caller);
  }
  auto keys = auth::ApiKeyRegistry::Create(entries);
  if (!keys.ok()) return Invalid("callers", keys.status().message());
  a->keys_ = std::move(*keys);
  return std::shared_ptr<const CallerAuth>(std::move(a));
}

std::optional<Caller> CallerAuth::Authenticate(const std::optional<std::string>& api_key,
                                               const std::string& cert_cn) const {
  std::optional<std::string> id;
  if (api_key) id = keys_->Authenticate(*api_key);
  if (!id && !cert_cn.empty()) {
    if (auto it = by_cn_.find(cert_cn); it != by_cn_.end()) id = it->second;
  }
  if (!id) return std::nullopt;
  return by_id_.at(*id);
}

std::optional<Caller> CallerAuth::Authenticate(const grpc::ServerContext& ctx) const {
  auth::PresentedCredentials presented = auth::CredentialsOf(ctx);
  return Authenticate(presented.api_key, presented.cert_cn);
}

bool CallerAuth::MayActOnTeam(const Caller& caller, const std::string& team) const {
  return caller.teams.count(team) > 0;
}

bool CallerAuth::MayActOnRep(const Caller& caller, const std::string& rep_id) const {
  auto it = team_of_rep_.find(rep_id);
  return it != team_of_rep_.end() && MayActOnTeam(caller, it->second);
}

}  // namespace leadflow::routing

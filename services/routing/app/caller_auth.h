// Who may call RoutingService, and on which teams (routing_rules.json
// `callers`). A caller authenticates with an API key (metadata "x-api-key" or
// "authorization: Bearer <key>", matched against SHA-256 digests through
// common/auth's ApiKeyRegistry) or with a client certificate whose subject CN
// is configured (mutual TLS, see LEADFLOW_TLS_* in docs/security.md). A caller
// acts only on the reps and teams of its own `teams`, and holds a scope (its
// `scopes`) only when configured with it: closed by default. A scope grants a
// method that reaches beyond any team, e.g. kSimulateRulesScope.
//
// Immutable after Create(); thread-safe. Keys, digests and CNs are never logged.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/auth/api_keys.h"
#include "common/util/status.h"
#include "routing/domain/routing_policy.h"

namespace grpc {
class ServerContext;
class Status;
}  // namespace grpc

namespace leadflow::routing {

// RuleSimulationService.SimulateRules: replays every team's history through
// candidate rules (docs/simulation.md), so no team membership grants it.
inline constexpr std::string_view kSimulateRulesScope = "rules:simulate";

struct Caller {
  std::string id;
  std::set<std::string> teams;
  std::set<std::string, std::less<>> scopes;
};

class CallerAuth {
 public:
  // kInvalidArgument naming the field ("callers[1].teams[0]: unknown team x")
  // for an empty or repeated caller_id, a caller with neither key nor CN, a
  // malformed or shared digest, a repeated CN, an unknown team, an unknown
  // scope, or a caller with neither teams nor scopes.
  static StatusOr<std::shared_ptr<const CallerAuth>> Create(const RoutingPolicy& policy);

  // The caller owning `api_key` (if present) or else the certificate CN.
  std::optional<Caller> Authenticate(const std::optional<std::string>& api_key,
                                     const std::string& cert_cn) const;
  // From a gRPC call: its metadata and its verified peer certificate.
  std::optional<Caller> Authenticate(const grpc::ServerContext& ctx) const;

  bool MayActOnTeam(const Caller& caller, const std::string& team) const;
  // False for a rep of another team, and for an unknown rep.
  bool MayActOnRep(const Caller& caller, const std::string& rep_id) const;
  // True only when the caller was configured with `scope`.
  static bool HasScope(const Caller& caller, std::string_view scope) {
    return caller.scopes.count(scope) > 0;
  }

 private:
  CallerAuth() = default;
  std::optional<auth::ApiKeyRegistry> keys_;
  std::map<std::string, Caller> by_id_;
  std::map<std::string, std::string> by_cn_;         // CN -> caller id
  std::map<std::string, std::string> team_of_rep_;   // rep -> team
};

}  // namespace leadflow::routing

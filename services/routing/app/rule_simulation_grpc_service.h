// leadflow.routing.v1.RuleSimulationService (proto/leadflow/routing/v1/
// simulation.proto): SimulateRules runs the rule simulation engine
// (routing/domain/rule_simulation.h, the one behind `leadflow-cli simulate`)
// over the topics' history and answers the report (docs/simulation.md).
//
// Access, closed by default (docs/security.md, "Callers and their scope"): the
// caller is checked before the request is read. Without a CallerAuth, or
// without a configured caller, every call is UNAUTHENTICATED; a caller
// without the scope "rules:simulate" (kSimulateRulesScope; e.g. a team's
// sales tool) is PERMISSION_DENIED. Neither text mentions the request.
//
// Bounds: the window is required and at most `max_window` long (31 days by
// default; INVALID_ARGUMENT naming the field beyond it); the history read
// ends within `read_timeout` or the client's deadline, whichever is first
// (UNAVAILABLE past it, never a partial history); one simulation at a time
// per replica (RESOURCE_EXHAUSTED for a second one: a replay holds every
// topic's history in memory, a few KB per lead); at most 1000 changes listed.
//
// Thread-safe; the object must outlive the gRPC server.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/util/status.h"
#include "leadflow/config/v1/routing_rules.pb.h"
#include "leadflow/routing/v1/simulation.grpc.pb.h"
#include "routing/app/caller_auth.h"
#include "routing/domain/routing_policy.h"
#include "routing/domain/simulation_history.h"

namespace leadflow::routing {

class RuleSimulationGrpcService final
    : public leadflow::routing::v1::RuleSimulationService::Service {
 public:
  // Reads the whole history within `timeout` (e.g. ReadSimulationHistory).
  using HistoryReader =
      std::function<StatusOr<SimulationHistory>(std::chrono::milliseconds timeout)>;
  // Validates candidate rules into a policy as routing does at start-up (the
  // same zone resolver and time scales).
  using PolicyFactory = std::function<StatusOr<std::shared_ptr<const RoutingPolicy>>(
      leadflow::config::v1::RoutingRules)>;

  struct Limits {
    std::chrono::milliseconds max_window{std::chrono::hours(24 * 31)};
    std::chrono::milliseconds read_timeout{std::chrono::seconds(60)};
    int default_changes = 200;
    int max_changes = 1000;
  };

  // `auth` may be null: then every call is refused (closed by default).
  RuleSimulationGrpcService(std::shared_ptr<const CallerAuth> auth, HistoryReader read_history,
                            PolicyFactory make_policy, Limits limits);
  RuleSimulationGrpcService(std::shared_ptr<const CallerAuth> auth, HistoryReader read_history,
                            PolicyFactory make_policy)
      : RuleSimulationGrpcService(std::move(auth), std::move(read_history),
                                  std::move(make_policy), Limits{}) {}

  grpc::Status SimulateRules(grpc::ServerContext* ctx,
                             const leadflow::routing::v1::SimulateRulesRequest* req,
                             leadflow::routing::v1::SimulateRulesResponse* resp) override;

 private:
  grpc::Status Authorize(const grpc::ServerContext* ctx) const;

  std::shared_ptr<const CallerAuth> auth_;
  HistoryReader read_history_;
  PolicyFactory make_policy_;
  Limits limits_;
  std::atomic<bool> running_{false};
};

}  // namespace leadflow::routing

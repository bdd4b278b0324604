#include "routing/app/rule_simulation_grpc_service.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>

#include "common/config/proto_loader.h"
#include "routing/app/simulation_report_proto.h"
#include "routing/domain/rule_simulation.h"

namespace leadflow::routing {
namespace {

namespace rv1 = leadflow::routing::v1;
using google::protobuf::util::TimeUtil;

constexpr size_t kMaxLeadIdBytes = 256;

grpc::Status Invalid(const std::string& what) {
  return {grpc::StatusCode::INVALID_ARGUMENT, what};
}

// RFC 3339's range (0001-01-01 .. 9999-12-31), as TimeUtil's.
bool ValidTime(const google::protobuf::Timestamp& t) {
  return t.seconds() >= -62135596800LL && t.seconds() <= 253402300799LL && t.nanos() >= 0 &&
         t.nanos() <= 999999999;
}

// Clears `flag` on scope exit.
struct Running {
  std::atomic<bool>& flag;
  ~Running() { flag.store(false); }
};

}  // namespace

RuleSimulationGrpcService::RuleSimulationGrpcService(std::shared_ptr<const CallerAuth> auth,
                                                     HistoryReader read_history,
                                                     PolicyFactory make_policy, Limits limits)
    : auth_(std::move(auth)),
      read_history_(std::move(read_history)),
      make_policy_(std::move(make_policy)),
      limits_(limits) {}

grpc::Status RuleSimulationGrpcService::Authorize(const grpc::ServerContext* ctx) const {
  std::optional<Caller> caller;
  if (auth_) caller = auth_->Authenticate(*ctx);
  if (!caller) {
    return {grpc::StatusCode::UNAUTHENTICATED,
            "an API key (x-api-key) or client certificate of a configured caller is required"};
  }
  if (!CallerAuth::HasScope(*caller, kSimulateRulesScope)) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "caller " + caller->id + " lacks the scope " + std::string(kSimulateRulesScope)};
  }
  return grpc::Status::OK;
}

grpc::Status RuleSimulationGrpcService::SimulateRules(grpc::ServerContext* ctx,
                                                      const rv1::SimulateRulesRequest* req,
                                                      rv1::SimulateRulesResponse* resp) {
  if (grpc::Status a = Authorize(ctx); !a.ok()) return a;

  // The request, field by field.
  if (req->rules_json().empty()) return Invalid("rules_json: required");
  if (!req->has_from()) return Invalid("from: required");
  if (!req->has_to()) return Invalid("to: required");
  if (!ValidTime(req->from())) return Invalid("from: not a valid time");
  if (!ValidTime(req->to())) return Invalid("to: not a valid time");
  SimulationOptions options;
  options.from_ms = TimeUtil::TimestampToMilliseconds(req->from());
  options.to_ms = TimeUtil::TimestampToMilliseconds(req->to());
  if (options.to_ms <= options.from_ms) return Invalid("to: must be after from");
  if (options.to_ms - options.from_ms > limits_.max_window.count()) {
    return Invalid("to: the window is at most " +
                   std::to_string(limits_.max_window.count() / 3600000) +
                   " hours; split a longer one into several calls");
  }
  if (req->max_changes() < 0 || req->max_changes() > limits_.max_changes) {
    return Invalid("max_changes: 0 (default " + std::to_string(limits_.default_changes) +
                   ") to " + std::to_string(limits_.max_changes));
  }
  if (req->lead_id().size() > kMaxLeadIdBytes) return Invalid("lead_id: too long");
  options.trace_lead = req->lead_id();

  leadflow::config::v1::RoutingRules rules;
  if (Status s = config::ParseProtoJson(req->rules_json(), "rules_json", &rules); !s.ok()) {
    return Invalid(s.message());
  }
  auto policy = make_policy_(std::move(rules));
  if (!policy.ok()) return Invalid("rules_json: " + policy.status().message());
  options.fairness_tolerance_pct = (*policy)->fairness().tolerance_pct;
  options.fairness_min_team_assignments = (*policy)->fairness().min_team_assignments;

  if (running_.exchange(true)) {
    return {grpc::StatusCode::RESOURCE_EXHAUSTED,
            "another simulation is running on this replica; retry in a few seconds"};
  }
  Running guard{running_};
  // The read ends by our own bound or the client's deadline, whichever is first.
  auto timeout = limits_.read_timeout;
  const auto client_left = std::chrono::duration_cast<std::chrono::milliseconds>(
      ctx->deadline() - std::chrono::system_clock::now());
  timeout = std::min(timeout, client_left);
  if (timeout.count() <= 0) {
    return {grpc::StatusCode::DEADLINE_EXCEEDED, "no time left to read the history"};
  }
  auto history = read_history_(timeout);
  if (!history.ok()) {
    return {grpc::StatusCode::UNAVAILABLE,
            "history could not be read: " + history.status().message()};
  }
  if (ctx->IsCancelled()) return {grpc::StatusCode::CANCELLED, "cancelled"};
  const SimulationReport report = RuleSimulation(*policy).Run(*history, options);
  const int max_changes = req->max_changes() == 0 ? limits_.default_changes : req->max_changes();
  SimulationReportToProto(report, static_cast<size_t>(max_changes), resp);
  return grpc::Status::OK;
}

}  // namespace leadflow::routing

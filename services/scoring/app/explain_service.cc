#include "scoring/app/explain_service.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include "common/auth/scopes.h"
#include "scoring/domain/scorer.h"

namespace leadflow::scoring {

grpc::Status ExplainService::Explain(grpc::ServerContext* context,
                                     const leadflow::scoring::v1::ExplainRequest* request,
                                     leadflow::scoring::v1::ExplainResponse* response) {
  const bool what_if = request->has_candidate_model();
  const std::string kind = what_if ? "what_if" : "stored";
  if (grpc::Status s = auth::RequireScope(callers_, *context, {auth::scopes::kExplainLeads});
      !s.ok()) {
    metrics_.Explain(kind, "refused");
    return s;
  }
  if (request->lead_id().empty()) {
    metrics_.Explain(kind, "invalid");
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "lead_id is required");
  }
  std::shared_ptr<const ScoringPolicy> candidate;
  if (what_if) {
    auto policy = ScoringPolicy::Create(request->candidate_model());
    if (!policy.ok()) {
      metrics_.Explain(kind, "invalid");
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "candidate_model: " + policy.status().message());
    }
    candidate = *policy;
  }
  auto stored = store_.Get(request->lead_id());
  if (!stored.ok()) {
    metrics_.Explain(kind, "unavailable");
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "score store unavailable");
  }
  if (!stored->has_value()) {
    metrics_.Explain(kind, "not_found");
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "no score for lead " + request->lead_id());
  }
  const auto& latest = **stored;
  if (!what_if) {
    *response->mutable_score() = latest;
    response->set_what_if(false);
    metrics_.Explain(kind, "ok");
    return grpc::Status::OK;
  }
  std::vector<EngagementRecord> events;
  if (const auto& contact = latest.lead().contact().contact_id(); !contact.empty()) {
    auto stored_events = engagement_.Events(contact);
    if (!stored_events.ok()) {
      metrics_.Explain(kind, "unavailable");
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "engagement store unavailable");
    }
    events = std::move(*stored_events);
  }
  const int64_t now = clock_.NowMillis();
  const EngagementScore engagement = ScoreEngagement(events, *candidate, now);
  ScoreInputs inputs;
  inputs.scored_at_ms = now;
  inputs.revision = latest.revision();
  inputs.engagement = &engagement;
  *response->mutable_score() = ScoreLead(latest.lead(), *candidate, inputs);
  response->set_what_if(true);
  metrics_.Explain(kind, "ok");
  return grpc::Status::OK;
}

}  // namespace leadflow::scoring

// leadflow.scoring.v1.ScoringService.Explain: "why is this (not) an MQL".
//
//  - lead_id only: the stored latest LeadScored (contributions, model version);
//  - with candidate_model: the model is validated (INVALID_ARGUMENT naming the
//    field if bad) and the stored lead is re-scored against it now, with the
//    contact's stored engagement events re-priced and decayed under the
//    candidate's rules; what_if=true, revision and model_version as in that
//    hypothetical score; nothing is stored or published;
//  - NOT_FOUND for an unknown lead, INVALID_ARGUMENT for an empty lead_id,
//    UNAVAILABLE when the store is down.
// The answer holds the lead's contact details, so only a caller with scope
// leads:explain gets one (UNAUTHENTICATED / PERMISSION_DENIED first, before
// the request is looked at; docs/security.md).
// Thread-safe; must outlive the gRPC server.
#pragma once

#include "common/auth/caller_identifier.h"
#include "common/util/clock.h"
#include "leadflow/scoring/v1/scoring.grpc.pb.h"
#include "scoring/app/engagement_store.h"
#include "scoring/app/score_store.h"
#include "scoring/app/scoring_metrics.h"

namespace leadflow::scoring {

class ExplainService final : public leadflow::scoring::v1::ScoringService::Service {
 public:
  // `callers` must outlive the service.
  ExplainService(const auth::CallerIdentifier& callers, ScoreStore& store,
                 EngagementStore& engagement, ScoringMetrics& metrics, const Clock& clock)
      : callers_(callers), store_(store), engagement_(engagement), metrics_(metrics), clock_(clock) {}

  grpc::Status Explain(grpc::ServerContext* context,
                       const leadflow::scoring::v1::ExplainRequest* request,
                       leadflow::scoring::v1::ExplainResponse* response) override;

 private:
  const auth::CallerIdentifier& callers_;
  ScoreStore& store_;
  EngagementStore& engagement_;
  ScoringMetrics& metrics_;
  const Clock& clock_;
};

}  // namespace leadflow::scoring

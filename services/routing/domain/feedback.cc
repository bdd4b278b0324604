#include "routing/domain/feedback.h"

#include "routing/domain/router.h"

namespace leadflow::routing {

Status ValidateAccept(const leadflow::routing::v1::AcceptLeadRequest& r) {
  if (r.lead_id().empty()) return Status::InvalidArgument("lead_id: required");
  if (r.rep_id().empty()) return Status::InvalidArgument("rep_id: required");
  return Status::Ok();
}

Status ValidateReject(const leadflow::routing::v1::RejectLeadRequest& r) {
  if (r.lead_id().empty()) return Status::InvalidArgument("lead_id: required");
  if (r.rep_id().empty()) return Status::InvalidArgument("rep_id: required");
  if (r.reason() == leadflow::common::v1::REASON_UNSPECIFIED) {
    return Status::InvalidArgument("reason: a rejection needs a reason code");
  }
  return Status::Ok();
}

Status ValidateClose(const leadflow::routing::v1::CloseLeadRequest& r) {
  if (r.lead_id().empty()) return Status::InvalidArgument("lead_id: required");
  if (r.rep_id().empty()) return Status::InvalidArgument("rep_id: required");
  if (r.outcome() == leadflow::routing::v1::DEAL_OUTCOME_UNSPECIFIED) {
    return Status::InvalidArgument("outcome: closing a lead needs a deal outcome");
  }
  return Status::Ok();
}

bool RejectionReturnsToNurture(const RoutingPolicy& policy, leadflow::common::v1::Segment segment,
                               leadflow::common::v1::ReasonCode reason) {
  return IsLargeClientSegment(segment) && policy.IsProtectedRejectReason(reason);
}

}  // namespace leadflow::routing

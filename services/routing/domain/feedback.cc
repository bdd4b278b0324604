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

Status ValidateFeedback(const leadflow::routing::v1::SalesFeedback& f) {
  namespace rv1 = leadflow::routing::v1;
  if (f.lead_id().empty())
    return Status::InvalidArgument("lead_id: required", leadflow::common::v1::MISSING_FIELD);
  if (f.rep_id().empty())
    return Status::InvalidArgument("rep_id: required", leadflow::common::v1::MISSING_FIELD);
  switch (f.kind()) {
    case rv1::ACCEPT:
      return Status::Ok();
    case rv1::REJECT:
      if (f.reject_reason() == leadflow::common::v1::REASON_UNSPECIFIED) {
        return Status::InvalidArgument("reject_reason: a rejection needs a reason code",
                                       leadflow::common::v1::MISSING_FIELD);
      }
      return Status::Ok();
    case rv1::CLOSE:
      if (f.outcome() == rv1::DEAL_OUTCOME_UNSPECIFIED) {
        return Status::InvalidArgument("outcome: closing a lead needs a deal outcome",
                                       leadflow::common::v1::MISSING_FIELD);
      }
      return Status::Ok();
    default:
      return Status::InvalidArgument("kind: must be ACCEPT, REJECT or CLOSE",
                                     leadflow::common::v1::INVALID_FIELD);
  }
}

const char* FeedbackKindLabel(leadflow::routing::v1::FeedbackKind kind) {
  switch (kind) {
    case leadflow::routing::v1::ACCEPT:
      return "accept";
    case leadflow::routing::v1::REJECT:
      return "reject";
    case leadflow::routing::v1::CLOSE:
      return "close";
    default:
      return "unknown";
  }
}

bool RejectionReturnsToNurture(const RoutingPolicy& policy, leadflow::common::v1::Segment segment,
                               leadflow::common::v1::ReasonCode reason) {
  return IsLargeClientSegment(segment) && policy.IsProtectedRejectReason(reason);
}

}  // namespace leadflow::routing

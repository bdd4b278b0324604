#include "routing/domain/feedback.h"

#include "routing/domain/router.h"

namespace leadflow::routing {

namespace {

namespace cv1 = leadflow::common::v1;

std::string ReasonText(cv1::ReasonCode r) {
  const std::string& name = cv1::ReasonCode_Name(r);
  return name.empty() ? std::to_string(static_cast<int>(r)) : name;
}

// `field` must name a sales-rejection reason.
Status CheckRejectReason(const char* field, cv1::ReasonCode r) {
  if (r == cv1::REASON_UNSPECIFIED) {
    return Status::InvalidArgument(std::string(field) + ": a rejection needs a reason code",
                                   cv1::MISSING_FIELD);
  }
  if (!IsSalesRejectionReason(r)) {
    return Status::InvalidArgument(std::string(field) + ": " + ReasonText(r) +
                                       " is not a sales-rejection reason (" +
                                       SalesRejectionReasonNames() + ")",
                                   cv1::INVALID_FIELD);
  }
  return Status::Ok();
}

Status CheckOutcome(leadflow::routing::v1::DealOutcome o) {
  namespace rv1 = leadflow::routing::v1;
  if (o == rv1::DEAL_OUTCOME_UNSPECIFIED) {
    return Status::InvalidArgument("outcome: closing a lead needs a deal outcome",
                                   cv1::MISSING_FIELD);
  }
  if (o != rv1::WON && o != rv1::LOST && o != rv1::OUTCOME_DISQUALIFIED) {
    return Status::InvalidArgument("outcome: " + std::to_string(static_cast<int>(o)) +
                                       " is not a deal outcome (WON, LOST, OUTCOME_DISQUALIFIED)",
                                   cv1::INVALID_FIELD);
  }
  return Status::Ok();
}

// Only a CLOSE carries a loss reason or its detail.
Status NoLoss(const leadflow::routing::v1::SalesFeedback& f) {
  if (f.loss_reason() != cv1::REASON_UNSPECIFIED) {
    return Status::InvalidArgument("loss_reason: only a CLOSE with outcome LOST carries one",
                                   cv1::INVALID_FIELD);
  }
  if (!f.loss_detail().empty()) {
    return Status::InvalidArgument("loss_detail: only a CLOSE with outcome LOST carries one",
                                   cv1::INVALID_FIELD);
  }
  return Status::Ok();
}

}  // namespace

bool IsLossReason(cv1::ReasonCode r) {
  switch (r) {
    case cv1::LOST_PRICE:
    case cv1::LOST_TO_COMPETITOR:
    case cv1::LOST_TENDER:
    case cv1::LOST_NO_BUDGET:
    case cv1::LOST_TIMING:
    case cv1::LOST_NO_DECISION:
    case cv1::BUDGET_TOO_SMALL:
    case cv1::RIGID_SPEC:
    case cv1::TAILORED_FOR_COMPETITOR:
      return true;
    default:
      return false;
  }
}

std::string LossReasonNames() {
  return "LOST_PRICE, LOST_TO_COMPETITOR, LOST_TENDER, LOST_NO_BUDGET, LOST_TIMING, "
         "LOST_NO_DECISION, BUDGET_TOO_SMALL, RIGID_SPEC, TAILORED_FOR_COMPETITOR";
}

Status CheckLossReason(leadflow::routing::v1::DealOutcome outcome, cv1::ReasonCode r,
                       const std::string& detail) {
  namespace rv1 = leadflow::routing::v1;
  if (outcome != rv1::LOST) {
    if (r != cv1::REASON_UNSPECIFIED) {
      return Status::InvalidArgument(
          "loss_reason: only a LOST carries one, not " + rv1::DealOutcome_Name(outcome),
          cv1::INVALID_FIELD);
    }
    if (!detail.empty()) {
      return Status::InvalidArgument(
          "loss_detail: only a LOST carries one, not " + rv1::DealOutcome_Name(outcome),
          cv1::INVALID_FIELD);
    }
    return Status::Ok();
  }
  if (r == cv1::REASON_UNSPECIFIED) {
    if (!detail.empty()) {
      return Status::InvalidArgument("loss_detail: given without a loss_reason",
                                     cv1::INVALID_FIELD);
    }
    return Status::Ok();
  }
  if (!IsLossReason(r)) {
    return Status::InvalidArgument(
        "loss_reason: " + ReasonText(r) + " is not a loss reason (" + LossReasonNames() + ")",
        cv1::INVALID_FIELD);
  }
  if (detail.size() > kMaxLossDetailBytes) {
    return Status::InvalidArgument(
        "loss_detail: at most " + std::to_string(kMaxLossDetailBytes) + " bytes",
        cv1::INVALID_FIELD);
  }
  if (r == cv1::LOST_TO_COMPETITOR && detail.empty()) {
    return Status::InvalidArgument("loss_detail: LOST_TO_COMPETITOR needs the competitor's name",
                                   cv1::MISSING_FIELD);
  }
  if (r == cv1::LOST_TENDER && detail.empty()) {
    return Status::InvalidArgument("loss_detail: LOST_TENDER needs the reason the tender was lost",
                                   cv1::MISSING_FIELD);
  }
  return Status::Ok();
}

Status RequireLossReason(leadflow::routing::v1::DealOutcome outcome, cv1::ReasonCode r) {
  if (outcome == leadflow::routing::v1::LOST && r == cv1::REASON_UNSPECIFIED) {
    return Status::InvalidArgument(
        "loss_reason: a LOST close needs a loss reason (" + LossReasonNames() + ")",
        cv1::MISSING_FIELD);
  }
  return Status::Ok();
}

std::string CloseDetail(leadflow::routing::v1::DealOutcome outcome, cv1::ReasonCode loss_reason) {
  std::string d = leadflow::routing::v1::DealOutcome_Name(outcome);
  if (loss_reason != cv1::REASON_UNSPECIFIED) d += ":" + ReasonText(loss_reason);
  return d;
}

bool ParseCloseDetail(const std::string& detail, leadflow::routing::v1::DealOutcome* outcome,
                      cv1::ReasonCode* loss_reason) {
  const size_t colon = detail.find(':');
  if (!leadflow::routing::v1::DealOutcome_Parse(detail.substr(0, colon), outcome)) return false;
  *loss_reason = cv1::REASON_UNSPECIFIED;
  if (colon != std::string::npos) {
    cv1::ReasonCode r{};
    if (cv1::ReasonCode_Parse(detail.substr(colon + 1), &r)) *loss_reason = r;
  }
  return true;
}

bool IsSalesRejectionReason(cv1::ReasonCode r) {
  switch (r) {
    case cv1::BUDGET_TOO_SMALL:
    case cv1::RIGID_SPEC:
    case cv1::TAILORED_FOR_COMPETITOR:
    case cv1::NOT_A_FIT:
    case cv1::DUPLICATE_LEAD:
    case cv1::NO_RESPONSE:
      return true;
    default:
      return false;
  }
}

std::string SalesRejectionReasonNames() {
  return "BUDGET_TOO_SMALL, RIGID_SPEC, TAILORED_FOR_COMPETITOR, NOT_A_FIT, DUPLICATE_LEAD, "
         "NO_RESPONSE";
}

Status ValidateAccept(const leadflow::routing::v1::AcceptLeadRequest& r) {
  if (r.lead_id().empty()) return Status::InvalidArgument("lead_id: required");
  if (r.rep_id().empty()) return Status::InvalidArgument("rep_id: required");
  return Status::Ok();
}

Status ValidateReject(const leadflow::routing::v1::RejectLeadRequest& r) {
  if (r.lead_id().empty()) return Status::InvalidArgument("lead_id: required");
  if (r.rep_id().empty()) return Status::InvalidArgument("rep_id: required");
  return CheckRejectReason("reason", r.reason());
}

Status ValidateClose(const leadflow::routing::v1::CloseLeadRequest& r) {
  if (r.lead_id().empty()) return Status::InvalidArgument("lead_id: required");
  if (r.rep_id().empty()) return Status::InvalidArgument("rep_id: required");
  if (Status s = CheckOutcome(r.outcome()); !s.ok()) return s;
  return CheckLossReason(r.outcome(), r.loss_reason(), r.loss_detail());
}

Status ValidateFeedback(const leadflow::routing::v1::SalesFeedback& f) {
  namespace rv1 = leadflow::routing::v1;
  if (f.lead_id().empty())
    return Status::InvalidArgument("lead_id: required", leadflow::common::v1::MISSING_FIELD);
  if (f.rep_id().empty())
    return Status::InvalidArgument("rep_id: required", leadflow::common::v1::MISSING_FIELD);
  if (f.kind() != rv1::CLOSE) {
    if (Status s = NoLoss(f); !s.ok()) return s;
  }
  switch (f.kind()) {
    case rv1::ACCEPT:
      if (f.reject_reason() != cv1::REASON_UNSPECIFIED) {
        return Status::InvalidArgument("reject_reason: only a REJECT carries one",
                                       cv1::INVALID_FIELD);
      }
      if (f.outcome() != rv1::DEAL_OUTCOME_UNSPECIFIED) {
        return Status::InvalidArgument("outcome: only a CLOSE carries one", cv1::INVALID_FIELD);
      }
      return Status::Ok();
    case rv1::REJECT:
      if (f.outcome() != rv1::DEAL_OUTCOME_UNSPECIFIED) {
        return Status::InvalidArgument("outcome: only a CLOSE carries one", cv1::INVALID_FIELD);
      }
      return CheckRejectReason("reject_reason", f.reject_reason());
    case rv1::CLOSE:
      if (f.reject_reason() != cv1::REASON_UNSPECIFIED) {
        return Status::InvalidArgument("reject_reason: only a REJECT carries one",
                                       cv1::INVALID_FIELD);
      }
      if (Status s = CheckOutcome(f.outcome()); !s.ok()) return s;
      return CheckLossReason(f.outcome(), f.loss_reason(), f.loss_detail());
    case rv1::STAGE:
      if (f.reject_reason() != cv1::REASON_UNSPECIFIED) {
        return Status::InvalidArgument("reject_reason: only a REJECT carries one",
                                       cv1::INVALID_FIELD);
      }
      if (f.outcome() != rv1::DEAL_OUTCOME_UNSPECIFIED) {
        return Status::InvalidArgument("outcome: only a CLOSE carries one", cv1::INVALID_FIELD);
      }
      return ValidateStageFields(f.stage(), f.deal_value_rub(), f.back_reason());
    default:
      return Status::InvalidArgument("kind: must be ACCEPT, REJECT, CLOSE or STAGE",
                                     leadflow::common::v1::INVALID_FIELD);
  }
}

Status ValidateStageFields(const std::string& stage, int64_t deal_value_rub,
                           const std::string& back_reason) {
  if (stage.empty()) {
    return Status::InvalidArgument("stage: a stage move needs a stage id", cv1::MISSING_FIELD);
  }
  if (deal_value_rub < 0) {
    return Status::InvalidArgument("deal_value_rub: must be >= 0 (0 keeps the last value)",
                                   cv1::INVALID_FIELD);
  }
  if (back_reason.size() > kMaxBackReasonBytes) {
    return Status::InvalidArgument(
        "back_reason: at most " + std::to_string(kMaxBackReasonBytes) + " bytes",
        cv1::INVALID_FIELD);
  }
  return Status::Ok();
}

Status ValidateAdvanceStage(const leadflow::routing::v1::AdvanceStageRequest& r) {
  if (r.lead_id().empty()) return Status::InvalidArgument("lead_id: required");
  if (r.rep_id().empty()) return Status::InvalidArgument("rep_id: required");
  return ValidateStageFields(r.stage(), r.deal_value_rub(), r.back_reason());
}

const char* FeedbackKindLabel(leadflow::routing::v1::FeedbackKind kind) {
  switch (kind) {
    case leadflow::routing::v1::ACCEPT:
      return "accept";
    case leadflow::routing::v1::REJECT:
      return "reject";
    case leadflow::routing::v1::CLOSE:
      return "close";
    case leadflow::routing::v1::STAGE:
      return "stage";
    default:
      return "unknown";
  }
}

bool RejectionReturnsToNurture(const RoutingPolicy& policy, leadflow::common::v1::Segment segment,
                               leadflow::common::v1::ReasonCode reason) {
  return IsLargeClientSegment(segment) && policy.IsProtectedRejectReason(reason);
}

}  // namespace leadflow::routing

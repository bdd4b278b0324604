#include "routing/domain/feedback.h"

#include <algorithm>
#include <utility>

#include "common/util/copy_fields.h"
#include "routing/domain/lookup_table.h"
#include "routing/domain/router.h"

namespace leadflow::routing {

namespace {

namespace cv1 = leadflow::common::v1;

// The reasons a LOST close may carry (docs/domain-rules.md §6).
constexpr cv1::ReasonCode kLossReasons[] = {
    cv1::LOST_PRICE,       cv1::LOST_TO_COMPETITOR, cv1::LOST_TENDER,
    cv1::LOST_NO_BUDGET,   cv1::LOST_TIMING,        cv1::LOST_NO_DECISION,
    cv1::BUDGET_TOO_SMALL, cv1::RIGID_SPEC,         cv1::TAILORED_FOR_COMPETITOR};

// The reasons a sales rejection may carry.
constexpr cv1::ReasonCode kSalesRejectionReasons[] = {
    cv1::BUDGET_TOO_SMALL, cv1::RIGID_SPEC,     cv1::TAILORED_FOR_COMPETITOR,
    cv1::NOT_A_FIT,        cv1::DUPLICATE_LEAD, cv1::NO_RESPONSE};

// "A, B, C" (the names the errors list).
template <size_t N>
std::string NamesOf(const cv1::ReasonCode (&reasons)[N]) {
  std::string names;
  for (cv1::ReasonCode r : reasons) names += (names.empty() ? "" : ", ") + cv1::ReasonCode_Name(r);
  return names;
}

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

// Only a REJECT carries a reject reason.
Status NoRejectReason(const leadflow::routing::v1::SalesFeedback& f) {
  if (f.reject_reason() == cv1::REASON_UNSPECIFIED) return Status::Ok();
  return Status::InvalidArgument("reject_reason: only a REJECT carries one", cv1::INVALID_FIELD);
}

// Only a CLOSE carries a deal outcome.
Status NoOutcome(const leadflow::routing::v1::SalesFeedback& f) {
  if (f.outcome() == leadflow::routing::v1::DEAL_OUTCOME_UNSPECIFIED) return Status::Ok();
  return Status::InvalidArgument("outcome: only a CLOSE carries one", cv1::INVALID_FIELD);
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

bool IsLossReason(cv1::ReasonCode r) { return std::ranges::count(kLossReasons, r) > 0; }

std::string LossReasonNames() { return NamesOf(kLossReasons); }

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
  return std::ranges::count(kSalesRejectionReasons, r) > 0;
}

std::string SalesRejectionReasonNames() { return NamesOf(kSalesRejectionReasons); }

leadflow::routing::v1::SalesFeedback FeedbackOf(const google::protobuf::Message& request,
                                                leadflow::routing::v1::FeedbackKind kind,
                                                std::vector<std::string>* unplaced) {
  leadflow::routing::v1::SalesFeedback fb;
  auto missing = proto::CopyFieldsByName(request, fb, {{"reason", "reject_reason"}});
  fb.set_kind(kind);
  if (unplaced != nullptr) *unplaced = std::move(missing);
  return fb;
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
      if (Status s = NoRejectReason(f); !s.ok()) return s;
      return NoOutcome(f);
    case rv1::REJECT:
      if (Status s = NoOutcome(f); !s.ok()) return s;
      return CheckRejectReason("reject_reason", f.reject_reason());
    case rv1::CLOSE:
      if (Status s = NoRejectReason(f); !s.ok()) return s;
      if (Status s = CheckOutcome(f.outcome()); !s.ok()) return s;
      return CheckLossReason(f.outcome(), f.loss_reason(), f.loss_detail());
    case rv1::STAGE:
      if (Status s = NoRejectReason(f); !s.ok()) return s;
      if (Status s = NoOutcome(f); !s.ok()) return s;
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
  namespace rv1 = leadflow::routing::v1;
  static constexpr std::pair<rv1::FeedbackKind, const char*> kLabels[] = {{rv1::ACCEPT, "accept"},
                                                                          {rv1::REJECT, "reject"},
                                                                          {rv1::CLOSE, "close"},
                                                                          {rv1::STAGE, "stage"}};
  return Lookup(kind, kLabels, "unknown");
}

bool RejectionReturnsToNurture(const RoutingPolicy& policy, leadflow::common::v1::Segment segment,
                               leadflow::common::v1::ReasonCode reason) {
  return IsLargeClientSegment(segment) && policy.IsProtectedRejectReason(reason);
}

}  // namespace leadflow::routing

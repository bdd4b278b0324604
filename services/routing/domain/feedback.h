// Sales feedback rules (docs/domain-rules.md §5 "one explicit handoff"): validation of
// accept / reject / close requests and what a rejection does to the lead.
// Pure and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/util/status.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

// The SalesFeedback a feedback RPC's request (AcceptLeadRequest,
// RejectLeadRequest, CloseLeadRequest, AdvanceStageRequest) stands for: its
// fields under the same names (a rejection's `reason` is reject_reason) and
// `kind`. `unplaced`, when given, gets the request's fields that have no
// place in a SalesFeedback: none for those four, as feedback_test checks.
leadflow::routing::v1::SalesFeedback FeedbackOf(const google::protobuf::Message& request,
                                                leadflow::routing::v1::FeedbackKind kind,
                                                std::vector<std::string>* unplaced = nullptr);

Status ValidateAccept(const leadflow::routing::v1::AcceptLeadRequest& request);
// A rejection needs a sales-rejection reason (IsSalesRejectionReason); a
// close a known deal outcome. Errors name the field.
Status ValidateReject(const leadflow::routing::v1::RejectLeadRequest& request);
// A close needs a deal outcome; its loss reason as CheckLossReason says.
Status ValidateClose(const leadflow::routing::v1::CloseLeadRequest& request);

// A sales.feedback event: lead_id, rep_id and kind are required; REJECT needs
// a sales-rejection reject_reason and no outcome, CLOSE a known outcome and no
// reject_reason, ACCEPT neither; STAGE a stage id, a deal value >= 0 and
// neither (whether the stage is configured is the processor's check, against
// the policy's deal_stages). Only a CLOSE carries loss_reason / loss_detail
// (CheckLossReason). Errors name the field.
Status ValidateFeedback(const leadflow::routing::v1::SalesFeedback& feedback);

// The loss reason of a close (docs/domain-rules.md, "Why deals are lost"):
// only a LOST carries one, and it must be a loss reason (IsLossReason);
// LOST_TO_COMPETITOR needs the competitor's name and LOST_TENDER the tender's
// reason in `detail`; `detail` is at most kMaxLossDetailBytes and only with a
// code. Whether a LOST must carry a code at all is RequireLossReason's check
// (routing_rules require_loss_reason). Errors name the field (MISSING_FIELD /
// INVALID_FIELD).
inline constexpr size_t kMaxLossDetailBytes = 200;
Status CheckLossReason(leadflow::routing::v1::DealOutcome outcome,
                       leadflow::common::v1::ReasonCode reason, const std::string& detail);
// A LOST without a loss reason is refused (MISSING_FIELD).
Status RequireLossReason(leadflow::routing::v1::DealOutcome outcome,
                         leadflow::common::v1::ReasonCode reason);
// LOST_PRICE, LOST_TO_COMPETITOR, LOST_TENDER, LOST_NO_BUDGET, LOST_TIMING,
// LOST_NO_DECISION and the protected BUDGET_TOO_SMALL, RIGID_SPEC,
// TAILORED_FOR_COMPETITOR.
bool IsLossReason(leadflow::common::v1::ReasonCode reason);
std::string LossReasonNames();

// What routing records of a close (the `close` field of lf:{routing}:fb,
// docs/state.md): the outcome name, then ":" and the loss reason name when
// there is one ("WON", "LOST", "LOST:LOST_PRICE"). Two closes are the same
// answer when these are equal (the free-text detail is not compared).
std::string CloseDetail(leadflow::routing::v1::DealOutcome outcome,
                        leadflow::common::v1::ReasonCode loss_reason);
// Back from a CloseDetail text; false when its outcome is unknown (loss
// reason left unset when absent or unknown).
bool ParseCloseDetail(const std::string& detail, leadflow::routing::v1::DealOutcome* outcome,
                      leadflow::common::v1::ReasonCode* loss_reason);

// A stage move's own fields: a stage id, deal_value_rub >= 0, back_reason at
// most kMaxBackReasonBytes.
inline constexpr size_t kMaxBackReasonBytes = 1000;
Status ValidateStageFields(const std::string& stage, int64_t deal_value_rub,
                           const std::string& back_reason);
Status ValidateAdvanceStage(const leadflow::routing::v1::AdvanceStageRequest& request);

// The reasons a rep may reject a lead for: BUDGET_TOO_SMALL, RIGID_SPEC,
// TAILORED_FOR_COMPETITOR, NOT_A_FIT, DUPLICATE_LEAD, NO_RESPONSE (the
// "Sales rejections" of common/v1 ReasonCode). Screening, input and nurture
// codes are not.
bool IsSalesRejectionReason(leadflow::common::v1::ReasonCode reason);
// Their names, comma-separated (for error texts).
std::string SalesRejectionReasonNames();

// "accept", "reject", "close" or "stage" (Redis tags and metric labels).
const char* FeedbackKindLabel(leadflow::routing::v1::FeedbackKind kind);

// True when a rejected lead of `segment` must go back to nurture with the
// reason instead of being discarded: a large-client (ENTERPRISE, GOVERNMENT,
// INFRASTRUCTURE) lead rejected for a protected reason.
bool RejectionReturnsToNurture(const RoutingPolicy& policy, leadflow::common::v1::Segment segment,
                               leadflow::common::v1::ReasonCode reason);

}  // namespace leadflow::routing

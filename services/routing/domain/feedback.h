// Sales feedback rules (DOMAIN.md §5 "one explicit handoff"): validation of
// accept / reject / close requests and what a rejection does to the lead.
// Pure and thread-safe.
#pragma once

#include <string>

#include "common/util/status.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

Status ValidateAccept(const leadflow::routing::v1::AcceptLeadRequest& request);
// A rejection needs a sales-rejection reason (IsSalesRejectionReason); a
// close a known deal outcome. Errors name the field.
Status ValidateReject(const leadflow::routing::v1::RejectLeadRequest& request);
// A close needs a deal outcome.
Status ValidateClose(const leadflow::routing::v1::CloseLeadRequest& request);

// A sales.feedback event: lead_id, rep_id and kind are required; REJECT needs
// a sales-rejection reject_reason and no outcome, CLOSE a known outcome and no
// reject_reason, ACCEPT neither; STAGE a stage id, a deal value >= 0 and
// neither (whether the stage is configured is the processor's check, against
// the policy's deal_stages). Errors name the field.
Status ValidateFeedback(const leadflow::routing::v1::SalesFeedback& feedback);

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

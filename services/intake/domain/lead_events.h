// Assembling intake's outgoing events from a normalised lead. Pure.
#pragma once

#include <cstdint>
#include <string>

#include "intake/domain/intake_policy.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/intake/v1/intake.pb.h"

namespace leadflow::intake {

// The dedupe key of a submission: the client's idempotency_key (scoped by
// source) when given, else derived from (contact_key, source_id, window bucket
// of submitted_unix_seconds) with the policy's dedupe window.
std::string IdempotencyKeyFor(const leadflow::intake::v1::LeadSubmission& sub,
                              const std::string& contact_key, int64_t submitted_unix_seconds,
                              const IntakePolicy& policy);

// Sets meta.lead_id, meta.trace_id and meta.first_submitted_at.
void StampIdentity(const std::string& lead_id, const std::string& trace_id,
                   int64_t first_submitted_at_ms, leadflow::intake::v1::LeadAccepted* lead);

// The FORM_RESUBMITTED engagement event recorded instead of a second lead:
// keyed (by the caller) by contact id, pointing at the original lead.
leadflow::engagement::v1::EngagementEvent MakeResubmissionEvent(
    const leadflow::intake::v1::LeadAccepted& repeat, const std::string& original_lead_id,
    const std::string& event_id, int64_t occurred_at_ms);

}  // namespace leadflow::intake

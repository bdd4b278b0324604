// Field-level validation of a LeadSubmission, before normalisation.
#pragma once

#include <vector>

#include "intake/domain/intake_policy.h"
#include "leadflow/intake/v1/intake.pb.h"

namespace leadflow::intake {

// Returns one FieldError per problem (empty = valid), each naming the field
// path ("email", "answers.budget", ...) and a ReasonCode:
//  - MISSING_FIELD: source_id empty; neither email nor phone given ("email");
//  - CONSENT_MISSING: consent is not true ("consent");
//  - INVALID_FIELD: bad email syntax; a phone that is not E.164-normalisable;
//    an INN that is not 10/12 digits or fails its checksum; any string (every
//    string field and every answers key/value) that is not valid UTF-8 or is
//    longer than max_string_length code points; buyer_class / decision_role
//    numbers outside their enums; negative amounts or headcount; a
//    non-finite revenue_growth_pct; an out-of-range submitted_at; a
//    campaign_id with a control character inside (after trimming ASCII
//    whitespace; its length is checked like every string). An unknown
//    campaign is not an error (it becomes "other", IntakePolicy::CampaignFor).
// Messages never repeat the submitted values (no PII). Pure; thread-safe.
std::vector<leadflow::common::v1::FieldError> ValidateSubmission(
    const leadflow::intake::v1::LeadSubmission& lead, const IntakePolicy& policy);

}  // namespace leadflow::intake

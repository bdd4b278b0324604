// What a customer's engagement event tells the account manager
// (docs/domain-rules.md §1: the manager must know what was sent and hear the
// feedback). Pure and thread-safe.
#pragma once

#include <string>

#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "nurture/domain/nurture_policy.h"

namespace leadflow::nurture {

// REPLIED -> REPLY, or QUESTIONNAIRE_ANSWER when `content_id` is sent on the
// QUESTIONNAIRE channel by some track; MEETING_BOOKED -> MEETING; anything
// else is not a response (RESPONSE_KIND_UNSPECIFIED).
leadflow::nurture::v1::ResponseKind ResponseKindOf(const NurturePolicy& policy,
                                                   leadflow::engagement::v1::EngagementType type,
                                                   const std::string& content_id);

}  // namespace leadflow::nurture

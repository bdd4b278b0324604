// Routing's consent rule (docs/privacy.md). Pure; thread-safe.
//
// A prospect whose contact withdrew consent after submitting the lead (the
// withdrawal covers the lead: privacy::WithdrawalCovers) is not sent to
// nurture (marketing) nor to a sales rep: the lead is DISQUALIFIED with
// reason CONSENT_MISSING, so it still ends with a recorded decision and a
// reason (on leads.rejected), never silently dropped. A customer's lead goes
// to the account owner as before: the contract relationship stays, and
// nurture sends the contact nothing (it unsubscribed the contact).
// A lead submitted after the withdrawal carries new consent and is routed
// normally.
#pragma once

#include <cstdint>

#include "leadflow/scoring/v1/scoring.pb.h"

namespace leadflow::routing {

// Marks `scored` disqualified for withdrawn consent when the rule applies and
// it is not marked yet; true when it changed the lead.
bool DisqualifyForWithdrawnConsent(int64_t withdrawn_at_ms,
                                   leadflow::scoring::v1::LeadScored* scored);

}  // namespace leadflow::routing

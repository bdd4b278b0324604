// Account development after a protected rejection (docs/domain-rules.md,
// "Protected rejections"): sales rejected a promising lead as
// BUDGET_TOO_SMALL, RIGID_SPEC or TAILORED_FOR_COMPETITOR, routing sent it
// back on leads.nurture with the reason, and nurture enrolled it in the
// track its reason selects (TrackSelector.rejection_reasons). The account's
// owner is told, so that someone works on the next budget or the next
// tender's specification while the content runs.
//
// Pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/config/v1/nurture_config.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.pb.h"

namespace leadflow::nurture {

// True when `track` is an account-development track for `reason`.
bool DevelopsAccountFor(const leadflow::config::v1::Track& track,
                        leadflow::common::v1::ReasonCode reason);

// Who is told: the CRM account's owner (`account`, nullptr when the registry
// has none), else its named owner, else the owner intake carried on the lead,
// else the rep who rejected it (they know the tender). Empty only when none of
// these is known.
std::string AccountDevelopmentOwner(const leadflow::routing::v1::NurtureRequested& request,
                                    const leadflow::accounts::v1::AccountState* account);

// The ACCOUNT_DEVELOPMENT notification for `request` enrolled as
// `enrolment_id` in `track`, or nullopt when the track is not one for the
// request's reason. Ids only: the notification names no person.
std::optional<leadflow::nurture::v1::AccountNotification> AccountDevelopmentNotice(
    const leadflow::config::v1::Track& track,
    const leadflow::routing::v1::NurtureRequested& request,
    const leadflow::accounts::v1::AccountState* account, const std::string& account_key,
    const std::string& enrolment_id, int64_t now_ms);

}  // namespace leadflow::nurture

// Turning a valid LeadSubmission into the body of a LeadAccepted, and
// classifying the lead as CUSTOMER or PROSPECT from the registry view.
#pragma once

#include <optional>
#include <string>

#include "intake/domain/contact_id_key.h"
#include "intake/domain/intake_policy.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/intake/v1/intake.pb.h"

namespace leadflow::intake {

// The result of normalising a submission. `lead` has everything but the
// identity (lead_id, trace_id, first_submitted_at) and the relationship.
struct NormalizedLead {
  leadflow::intake::v1::LeadAccepted lead;
  // The normalised email, else the E.164 phone: the contact's identity, used
  // for the contact id and the derived idempotency key.
  std::string contact_key;
};

// Requires ValidateSubmission(sub) to be empty. Rules:
//  - email trimmed and lower-cased; phone in E.164;
//  - company.domain = the email's domain unless it is a configured free-mail
//    domain (then empty);
//  - account key = INN if given, else the corporate domain, else the
//    normalised email, else the E.164 phone;
//  - contact_id = contact_ids.ContactIdFor(contact_key) (keyed, see
//    contact_id_key.h);
//  - buyer_class / decision_role: an explicit form value wins
//    (*_inferred=false), else the first matching title rule (*_inferred=true);
//  - buyer stage from intent_rules, else default_buyer_stage;
//  - sales_channel PARTNER iff channel is "partner" (case-insensitive), else DIRECT.
//  - meta.marketing_sourced = the source's `marketing` flag in the config
//    (false for an unconfigured source); meta.campaign_id =
//    policy.CampaignFor(campaign_id): a configured campaign, "other" for an
//    unknown one, "" for none.
// Pure; thread-safe.
NormalizedLead NormalizeSubmission(const leadflow::intake::v1::LeadSubmission& sub,
                                   const IntakePolicy& policy, const ContactIdKey& contact_ids);

// Sets meta.relationship from the registry: CUSTOMER (with account_owner and
// owner_team from the account) when the account's relationship is CUSTOMER,
// otherwise PROSPECT. A prospect's account_owner is the registry's
// named_owner_rep_id when the account is a named (ABM) account with one, so
// that routing can give the lead to its named owner (docs/domain-rules.md §3);
// otherwise it is cleared, and owner_team is always cleared. The caller looks
// the account up in a registry view that is ready (never a guess: an unready
// view is kUnavailable before this is reached).
void ApplyRelationship(const std::optional<leadflow::accounts::v1::AccountState>& account,
                       leadflow::intake::v1::LeadAccepted* lead);

}  // namespace leadflow::intake

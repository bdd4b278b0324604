// An account's buying-committee coverage (docs/domain-rules.md §2, "Buying
// committees"): which buyer classes are engaged and whether a decision maker
// is known, from the contacts seen on the account's leads (kept by intake,
// intake/app/account_contact_store.h) and the CRM's contacts of the account
// (AccountState.contacts on accounts.changes). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/common/v1/domain.pb.h"
#include "leadflow/intake/v1/intake.pb.h"

namespace leadflow::intake {

// How long an account's contacts seen on leads are kept after its last lead:
// 548 days, a sales cycle (§6: 1–1.5 years), as routing and scoring keep a
// lead's ids. A contact seen once in a cycle still counts while the account
// is in one; an account silent for a whole cycle starts afresh.
inline constexpr int64_t kCoverageWindowSeconds = 548LL * 24 * 3600;

// One contact of an account: its keyed contact id, class and role.
struct KnownContact {
  std::string contact_id;
  leadflow::common::v1::BuyerClass buyer_class = leadflow::common::v1::BUYER_CLASS_UNSPECIFIED;
  leadflow::common::v1::DecisionRole decision_role =
      leadflow::common::v1::DECISION_ROLE_UNSPECIFIED;
};

// The compact value stored per contact in Redis: two decimal digits, the
// buyer class then the decision role ("21" = TECHNICAL, DECISION_MAKER).
std::string EncodeContactValue(const KnownContact& contact);
// Parses EncodeContactValue's output into `contact` (its id is the caller's).
// False for anything else (then `contact` is unchanged).
bool DecodeContactValue(const std::string& value, KnownContact* contact);

// The key the lead's account coverage is kept under: the registry account's
// key when the lead matched one, else the lead's account key when the lead
// has a company (an INN or a corporate domain). nullopt for a lead with
// neither (free-mail or phone only): there is no account to keep, and its
// key would be an email or a phone.
std::optional<std::string> CoverageAccountKey(
    const leadflow::intake::v1::LeadAccepted& lead,
    const std::optional<leadflow::accounts::v1::AccountState>& account);

// The lead's own contact as a KnownContact.
KnownContact ContactOfLead(const leadflow::intake::v1::LeadAccepted& lead);

// Merges `contact` into `contacts` (by contact id): a new id is appended; for
// a known id, each of class and role is replaced when `contact` states one.
void MergeContact(const KnownContact& contact, std::vector<KnownContact>* contacts);

// The coverage of an account whose contacts seen on leads are `from_leads`
// and whose CRM contacts are `from_crm` (merged over them: the CRM's class
// and role win for the same contact). `known` is set; `account_key` is the
// caller's to set.
leadflow::common::v1::AccountCoverage CoverageOf(const std::vector<KnownContact>& from_leads,
                                                 const std::vector<KnownContact>& from_crm);

// The contacts seen on an account's leads as intake's Redis store keeps them
// summarised (docs/state.md, `cov:<account>`): their number, per buyer class
// and of decision makers, and those of them whose ids the CRM lists too.
struct SeenContactsSummary {
  int64_t contacts = 0;
  int64_t per_class[4] = {0, 0, 0, 0};  // by BuyerClass; [0] unused
  int64_t decision_makers = 0;
  // The contacts seen on leads among the CRM's contact ids, with their class
  // and role as seen on leads (the others were not seen).
  std::vector<KnownContact> crm_seen;
};

// The summary of the contacts seen on leads `from_leads` (merged by id as
// CoverageOf merges them) with the CRM's contacts `from_crm`.
SeenContactsSummary SummariseSeen(const std::vector<KnownContact>& from_leads,
                                  const std::vector<KnownContact>& from_crm);

// CoverageOf(from_leads, from_crm) from SummariseSeen(from_leads, from_crm):
// the same coverage in O(CRM contacts), whatever the number seen on leads.
leadflow::common::v1::AccountCoverage CoverageOfSummary(const SeenContactsSummary& seen,
                                                        const std::vector<KnownContact>& from_crm);

// Whether `id` can be a contact's field in the stored hash: not empty, not a
// bookkeeping field (those start with "_").
bool IsStoredContactId(const std::string& id);

// The accounts.contacts record of an accepted lead (docs/state.md,
// `cov:<account>`): its kept coverage's account key, its contact's id, class
// and role, the lead's relationship and whether the coverage it carries is
// complete, seen at `seen_at_ms`. nullopt for a lead without a kept coverage
// (Company.coverage.account_key) or without a contact id.
std::optional<leadflow::intake::v1::AccountContactSeen> ContactSeenOf(
    const leadflow::intake::v1::LeadAccepted& lead, int64_t seen_at_ms);

// The accounts.contacts key of a contact at an account: "<account>|<contact>".
std::string ContactSeenKey(const std::string& account_key, const std::string& contact_id);
// Splits a ContactSeenKey at its last '|' (contact ids have none). False for a
// key without one or with an empty part.
bool SplitContactSeenKey(const std::string& key, std::string* account_key, std::string* contact_id);

// The CRM contacts of a registry account (none for nullopt).
std::vector<KnownContact> CrmContacts(
    const std::optional<leadflow::accounts::v1::AccountState>& account);

}  // namespace leadflow::intake

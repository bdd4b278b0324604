// Never one lonely channel (docs/domain-rules.md §1, §2, "Buying
// committees"): a customer account whose buying committee leadflow knows as
// a single contact is flagged to its manager, who should win more contacts
// (the decision maker among them) so the client is not isolated behind one
// person. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "leadflow/intake/v1/intake.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"

namespace leadflow::nurture {

// How long a flag holds: a manager hears of an account at most once in 90
// days (a quarter: often enough to act on within a sales cycle of 1–1.5
// years, rare enough not to be ignored). The flag is lf:{nurture}:
// single-contact:<account> (docs/state.md).
inline constexpr int64_t kSingleContactFlagSeconds = 90LL * 24 * 3600;

// True for a CUSTOMER lead whose account coverage (Company.coverage, as of
// its intake) is known and counts exactly one contact. An unknown or unset
// coverage is never taken for one contact.
bool IsSingleContactCustomer(const leadflow::intake::v1::LeadAccepted& lead);

// The account whose flag it is: the coverage's account key, else `fallback`
// (the record's account key).
std::string SingleContactAccount(const leadflow::intake::v1::LeadAccepted& lead,
                                 const std::string& fallback);

// The SINGLE_CONTACT notification to the account's owner (the lead's
// account_owner): ids and the coverage, no name or email.
leadflow::nurture::v1::AccountNotification SingleContactNotice(
    const leadflow::intake::v1::LeadAccepted& lead, const std::string& account_key, int64_t now_ms);

}  // namespace leadflow::nurture

// Where intake keeps the contacts seen on each account's leads, for the
// account's buying-committee coverage (docs/domain-rules.md §2, "Buying
// committees"; intake/domain/account_coverage.h computes the coverage). The
// production store is a view of accounts.contacts in Redis
// (redis_account_contact_store.h).
#pragma once

#include <string>
#include <vector>

#include "common/util/status.h"
#include "intake/domain/account_coverage.h"

namespace leadflow::intake {

class AccountContactStore {
 public:
  virtual ~AccountContactStore() = default;
  struct Sighting {
    std::string account_key;
    KnownContact contact;
    // The ids of the account's CRM contacts (CrmContacts), whose values seen
    // on leads the summary carries.
    std::vector<std::string> crm_contact_ids;
  };
  // Records each sighting (in order) and returns the summary of its
  // account's contacts seen on leads after it (SummariseSeen), one result per
  // sighting. kUnavailable while the store's view is not ready or when Redis
  // fails.
  virtual std::vector<StatusOr<SeenContactsSummary>> RecordMany(
      const std::vector<Sighting>& sightings) = 0;
};

}  // namespace leadflow::intake

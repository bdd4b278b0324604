// Nurture's Redis state for proactive customer programmes
// (docs/state.md, "Nurture"; the schedule itself is stateless:
// nurture/domain/programme_schedule.h). All keys share the {nurture} hash tag.
//
//   lf:{nurture}:prog-accounts   set of the registry's CUSTOMER account keys: a
//                                view of accounts.changes kept by the registry
//                                view's change hook (AccountChangeHandler::
//                                Handle), so it is rebuilt with the
//                                view after a Redis loss. An account leaves when
//                                the CRM deletes it or it stops being a customer.
//   lf:{nurture}:prog-state      "1": the programmes' record of enrolled cycles
//                                is complete. Missing after a Redis loss (or on
//                                the first start): the scheduler first restores
//                                it from nurture.touches (RestoreCycles).
// Which cycles were enrolled is the programme enrolments' own lead index
// (lf:{nurture}:lead:<prog lead id>, nurture_keys.h), so a cycle enrols once.
//
// Thread-safe as far as redis::Client is; Redis failures come back as
// kUnavailable.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/redis/client.h"
#include "common/util/status.h"

namespace leadflow::nurture {

class ProgrammeStore {
 public:
  explicit ProgrammeStore(redis::Client& redis) : redis_(redis) {}

  // Adds the account to (customer) or removes it from the programme base.
  Status SetCustomerAccount(const std::string& account_key, bool customer);
  // Every account key of the programme base (unordered).
  StatusOr<std::vector<std::string>> CustomerAccounts();

  // Whether the record of enrolled cycles is complete (the prog-state marker).
  StatusOr<bool> CyclesComplete();
  // Records each (programme lead id, enrolment id) found on nurture.touches
  // as enrolled (its lead index, with the index's TTL), then sets the marker.
  Status RestoreCycles(const std::vector<std::pair<std::string, std::string>>& enrolled);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::nurture

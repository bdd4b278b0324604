// Where intake looks up a contact's account to tell CUSTOMER from PROSPECT:
// the seam between the processor and the Redis registry view.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/registry/account_registry.h"
#include "common/util/status.h"
#include "leadflow/accounts/v1/accounts.pb.h"

namespace leadflow::intake {

class AccountDirectory {
 public:
  virtual ~AccountDirectory() = default;
  // By email, then corporate domain, then INN; empty arguments are skipped.
  // kUnavailable when the registry cannot be reached. Thread-safe.
  virtual StatusOr<std::optional<leadflow::accounts::v1::AccountState>> Lookup(
      const std::string& email, const std::string& domain, const std::string& inn) = 0;
  // Lookup() of each contact (a consumer batch), one result per contact in
  // order. This default calls Lookup() one by one.
  using ContactKeys = registry::AccountRegistry::ContactKeys;
  virtual std::vector<StatusOr<std::optional<leadflow::accounts::v1::AccountState>>> LookupMany(
      const std::vector<ContactKeys>& contacts) {
    std::vector<StatusOr<std::optional<leadflow::accounts::v1::AccountState>>> out;
    out.reserve(contacts.size());
    for (const auto& c : contacts) out.push_back(Lookup(c.email, c.domain, c.inn));
    return out;
  }
};

}  // namespace leadflow::intake

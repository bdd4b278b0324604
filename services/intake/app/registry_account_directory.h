// Intake's account directory in production: the shared AccountRegistry view
// (namespace "intake"). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/registry/account_registry.h"
#include "intake/app/account_directory.h"

namespace leadflow::intake {

// Production: the shared AccountRegistry view (namespace "intake").
class RegistryAccountDirectory final : public AccountDirectory {
 public:
  explicit RegistryAccountDirectory(registry::AccountRegistry& registry) : registry_(registry) {}
  StatusOr<std::optional<leadflow::accounts::v1::AccountState>> Lookup(
      const std::string& email, const std::string& domain, const std::string& inn) override {
    return registry_.Lookup(email, domain, inn);
  }
  // Two pipelined round trips for the whole list (AccountRegistry::LookupMany).
  std::vector<StatusOr<std::optional<leadflow::accounts::v1::AccountState>>> LookupMany(
      const std::vector<ContactKeys>& contacts) override {
    return registry_.LookupMany(contacts);
  }

 private:
  registry::AccountRegistry& registry_;
};

}  // namespace leadflow::intake

// Where intake looks up a contact's account to tell CUSTOMER from PROSPECT:
// the seam between the processor and the Redis registry view.
#pragma once

#include <map>
#include <mutex>
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

// Tests: accounts indexed by email, domain and INN in memory.
class InMemoryAccountDirectory final : public AccountDirectory {
 public:
  void Add(const leadflow::accounts::v1::AccountState& account) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& e : account.contact_emails()) by_email_[e] = account;
    for (const auto& d : account.domains()) by_domain_[d] = account;
    if (!account.inn().empty()) by_inn_[account.inn()] = account;
  }
  void SetUnavailable(bool down) {
    std::lock_guard<std::mutex> lock(mu_);
    down_ = down;
  }
  StatusOr<std::optional<leadflow::accounts::v1::AccountState>> Lookup(
      const std::string& email, const std::string& domain, const std::string& inn) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (down_) return Status::Unavailable("in-memory registry down");
    using Result = std::optional<leadflow::accounts::v1::AccountState>;
    if (auto it = by_email_.find(email); !email.empty() && it != by_email_.end()) {
      return Result(it->second);
    }
    if (auto it = by_domain_.find(domain); !domain.empty() && it != by_domain_.end()) {
      return Result(it->second);
    }
    if (auto it = by_inn_.find(inn); !inn.empty() && it != by_inn_.end()) return Result(it->second);
    return Result();
  }

 private:
  std::mutex mu_;
  std::map<std::string, leadflow::accounts::v1::AccountState> by_email_, by_domain_, by_inn_;
  bool down_ = false;
};

}  // namespace leadflow::intake

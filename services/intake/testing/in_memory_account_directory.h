// An account directory in memory, for hermetic unit tests. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "intake/app/account_directory.h"

namespace leadflow::intake {

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

// Named readiness checks behind /readyz. A service is ready when every check
// passes. Checks are registered at start-up and must be cheap and thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace leadflow::health {

class Readiness {
 public:
  using Check = std::function<bool()>;
  void Add(std::string name, Check check) {
    std::lock_guard lock(mu_);
    checks_.emplace_back(std::move(name), std::move(check));
  }
  // The names of failing checks; empty means ready.
  std::vector<std::string> Failing() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [name, check] : checks_) {
      if (!check()) out.push_back(name);
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, Check>> checks_;
};

}  // namespace leadflow::health

// The current scoring model, swappable at run time (hot reload, see
// model_reloader.h). Readers take a shared_ptr snapshot and score against it,
// so a swap never changes a score half-way. Thread-safe.
#pragma once

#include <memory>
#include <mutex>

#include "scoring/domain/scoring_policy.h"

namespace leadflow::scoring {

class ModelHolder {
 public:
  explicit ModelHolder(std::shared_ptr<const ScoringPolicy> policy) : policy_(std::move(policy)) {}
  std::shared_ptr<const ScoringPolicy> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return policy_;
  }
  void Set(std::shared_ptr<const ScoringPolicy> policy) {
    std::lock_guard<std::mutex> lock(mu_);
    policy_ = std::move(policy);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ScoringPolicy> policy_;
};

}  // namespace leadflow::scoring

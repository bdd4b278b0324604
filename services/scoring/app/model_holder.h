// The current scoring model, swappable at run time (the seam for hot reload in
// a later issue). Readers take a shared_ptr snapshot and score against it, so
// a swap never changes a score half-way. Thread-safe.
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

// Where the engagement input comes from. Engagement rescoring (decayed points
// per contact from engagement.events) is a later issue; until then it is 0.
class EngagementSource {
 public:
  virtual ~EngagementSource() = default;
  // The decayed engagement points of a contact at now_ms. Thread-safe.
  virtual StatusOr<double> PointsFor(const std::string& contact_id, int64_t now_ms) = 0;
};

class NoEngagement final : public EngagementSource {
 public:
  StatusOr<double> PointsFor(const std::string&, int64_t) override { return 0.0; }
};

}  // namespace leadflow::scoring

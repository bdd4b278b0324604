// Finishing touches: a touch's enrolment moves to its next step (its next
// touch planned from the track), or completes (counted as an exit
// "completed"). Thread-safe as far as its stores are.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"
#include "nurture/domain/nurture_policy.h"
#include "nurture/domain/touch_plan.h"

namespace leadflow::nurture {

class TouchFinisher {
 public:
  TouchFinisher(std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                NurtureMetrics& metrics)
      : policy_(std::move(policy)), store_(store), metrics_(metrics) {}

  // The Finish of a touch of `record` (its next touch from the plan).
  FinishArgs FinishFor(const std::string& touch_id, const ParsedTouchId& parsed,
                       const std::optional<EnrolmentRecord>& record, bool sent,
                       int64_t now_ms) const;
  // Finishes them in one round trip (counting completed tracks).
  Status FinishAll(const std::vector<FinishArgs>& finishes);
  // Finishes one touch by id (its enrolment read first); a malformed id is dropped.
  Status FinishTouch(const std::string& touch_id, bool sent, int64_t now_ms);

 private:
  std::shared_ptr<const NurturePolicy> policy_;
  NurtureStore& store_;
  NurtureMetrics& metrics_;
};

}  // namespace leadflow::nurture

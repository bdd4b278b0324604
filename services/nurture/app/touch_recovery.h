// Crash recovery of the touch scheduler: a claimed touch sits in the
// in-flight hash until finished, so after a crash each in-flight touch is
// resolved against the touch log itself (nurture.touches): one already on it
// is finished without re-sending (its owner's notification sent again), the
// rest become due again. The scheduler runs on one replica at a time (the
// lease), so every in-flight touch is one a crash left. Thread-safe as far as
// its stores are.
#pragma once

#include <functional>

#include "common/kafka/consumer_loop.h"
#include "common/kafka/producer.h"
#include "common/registry/account_registry.h"
#include "common/util/clock.h"
#include "nurture/app/nurture_store.h"
#include "nurture/app/touch_finisher.h"

namespace leadflow::nurture {

// Reads every record of nurture.touches present now (crash recovery).
using TouchLogScan =
    std::function<Status(const std::function<void(const kafka::ConsumedMessage&)>&)>;

class TouchRecovery {
 public:
  TouchRecovery(NurtureStore& store, registry::AccountRegistry& registry, kafka::Producer& producer,
                const Clock& clock, TouchFinisher& finisher, TouchLogScan scan)
      : store_(store),
        registry_(registry),
        producer_(producer),
        clock_(clock),
        finisher_(finisher),
        scan_(std::move(scan)) {}

  // Resolves touches left in flight by a crash. Returns how many were resolved.
  StatusOr<int> Recover();

 private:
  NurtureStore& store_;
  registry::AccountRegistry& registry_;
  kafka::Producer& producer_;
  const Clock& clock_;
  TouchFinisher& finisher_;
  TouchLogScan scan_;
};

}  // namespace leadflow::nurture

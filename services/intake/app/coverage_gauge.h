// The partial-coverage gauge: leadflow_intake_accounts_partial_coverage
// {relationship=CUSTOMER|PROSPECT}, the accounts whose newest lead in the
// coverage window showed a partial buying committee (not all three buyer
// classes, or no decision maker; docs/domain-rules.md §2, docs/metrics.md).
// Read from the shared index in Redis (account_contact_store.h), so every
// replica reports the same number: aggregate with max, not sum.
//
// The task refreshes it every `every` until `stop`; a Redis failure leaves
// the last value and is retried at the next tick. The store and metrics must
// outlive the task.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "common/util/clock.h"
#include "intake/app/account_contact_store.h"
#include "intake/app/intake_metrics.h"
#include "intake/app/redis_account_contact_store.h"

namespace leadflow::intake {

inline std::function<void(const std::atomic<bool>&)> CoverageGaugeTask(
    RedisAccountContactStore& store, IntakeMetrics& metrics, const Clock& clock,
    std::chrono::milliseconds every = std::chrono::seconds(15)) {
  return [&store, &metrics, &clock, every](const std::atomic<bool>& stop) {
    while (!stop.load()) {
      if (auto counts = store.PartialCounts(clock.NowMillis()); counts.ok()) {
        for (const auto& [relationship, n] : *counts) {
          metrics.PartialCoverageAccounts(relationship, static_cast<double>(n));
        }
      }
      for (auto waited = std::chrono::milliseconds(0); waited < every && !stop.load();
           waited += std::chrono::milliseconds(50)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  };
}

}  // namespace leadflow::intake

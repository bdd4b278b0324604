// How intake keeps its registry view (namespace "intake"): each
// accounts.changes record is applied by the registry (through the view, see
// common/view/topic_view.h), then the registry gauges are refreshed:
// leadflow_intake_registry_accounts (size) and
// leadflow_intake_registry_lag_seconds (now minus the applied record's
// timestamp: how far the view trails the CRM). The registry, metrics and clock
// must outlive the function.
#pragma once

#include "common/registry/account_registry.h"
#include "common/util/clock.h"
#include "common/view/topic_view.h"
#include "intake/app/intake_metrics.h"

namespace leadflow::intake {

inline view::ApplyFn RegistryFeed(registry::AccountRegistry& registry, IntakeMetrics& metrics,
                                  const Clock& clock) {
  return [&registry, &metrics, &clock](const std::string& epoch,
                                       const kafka::ConsumedMessage& m) {
    Status s = registry.Apply(epoch, m);
    if (s.ok()) {
      if (auto size = registry.Size(); size.ok()) metrics.RegistrySize(static_cast<double>(*size));
      if (m.timestamp_ms > 0) {
        const int64_t lag_ms = clock.NowMillis() - m.timestamp_ms;
        metrics.RegistryLagSeconds(lag_ms > 0 ? static_cast<double>(lag_ms) / 1000.0 : 0.0);
      }
    }
    return s;
  };
}

}  // namespace leadflow::intake

// The accounts.changes consumer feeding intake's registry view (namespace
// "intake"). After each applied change it refreshes the registry gauges:
// leadflow_intake_registry_accounts (size) and
// leadflow_intake_registry_lag_seconds (now minus the applied record's
// timestamp: how far the view trails the CRM). Malformed records are
// dead-lettered by the registry's own handler. The registry, metrics and
// clock must outlive the handler.
#pragma once

#include "common/kafka/consumer_loop.h"
#include "common/registry/account_registry.h"
#include "common/util/clock.h"
#include "intake/app/intake_metrics.h"

namespace leadflow::intake {

inline kafka::MessageHandler RegistryFeedHandler(registry::AccountRegistry& registry,
                                                 IntakeMetrics& metrics, const Clock& clock) {
  auto apply = registry.Handler();
  return [apply, &registry, &metrics, &clock](const kafka::ConsumedMessage& m,
                                              std::vector<kafka::OutgoingMessage>& out) {
    Status s = apply(m, out);
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

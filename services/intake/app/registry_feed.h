// The accounts.changes consumer feeding intake's registry view (namespace
// "intake"), refreshing the registry-size gauge after each applied change.
// Malformed records are dead-lettered by the registry's own handler.
#pragma once

#include "common/kafka/consumer_loop.h"
#include "common/registry/account_registry.h"
#include "intake/app/intake_metrics.h"

namespace leadflow::intake {

inline kafka::MessageHandler RegistryFeedHandler(registry::AccountRegistry& registry,
                                                 IntakeMetrics& metrics) {
  auto apply = registry.Handler();
  return [apply, &registry, &metrics](const kafka::ConsumedMessage& m,
                                      std::vector<kafka::OutgoingMessage>& out) {
    Status s = apply(m, out);
    if (s.ok()) {
      if (auto size = registry.Size(); size.ok()) metrics.RegistrySize(static_cast<double>(*size));
    }
    return s;
  };
}

}  // namespace leadflow::intake

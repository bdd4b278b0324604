// The common metric set every service exposes (consumed/produced by topic,
// processing latency, consumer lag, errors, dead letters, build info), created
// once per process and shared by the Kafka wrappers and the consumer loop.
#pragma once

#include <string>

#include "common/metrics/registry.h"

namespace leadflow::metrics {

class ServiceMetrics {
 public:
  // `service` is the short name: intake, scoring, routing, nurture.
  ServiceMetrics(Registry& registry, std::string service);

  Registry& registry() { return registry_; }
  const std::string& service() const { return service_; }
  // Prefix "leadflow_<service>_" for service-specific metrics.
  std::string Name(const std::string& what) const { return "leadflow_" + service_ + "_" + what; }

  void Consumed(const std::string& topic);
  void Produced(const std::string& topic);
  void ProcessingSeconds(const std::string& topic, double seconds);
  void Error(const std::string& reason);
  void DeadLettered(const std::string& reason);
  void ConsumerLag(const std::string& topic, int partition, double lag);

 private:
  Registry& registry_;
  std::string service_;
};

}  // namespace leadflow::metrics

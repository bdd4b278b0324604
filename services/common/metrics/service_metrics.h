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

  // A service-specific family, spelled once as a constant next to the code
  // that counts it: `constexpr ServiceMetrics::Family kReceived{
  // "leads_received_total", "Lead submissions by source and outcome"};`
  // then `m_.CounterOf(kReceived, {{"source", s}}).Inc()`.
  struct Family {
    const char* what;  // the name after "leadflow_<service>_", with its unit
    const char* help;
  };
  Counter CounterOf(const Family& f, const Labels& labels = {}) {
    return registry_.GetCounter(Name(f.what), f.help, labels);
  }
  Gauge GaugeOf(const Family& f, const Labels& labels = {}) {
    return registry_.GetGauge(Name(f.what), f.help, labels);
  }

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

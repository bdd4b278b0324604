// Routing's own metrics (leadflow_routing_*). Labels are bounded: outcome,
// team and segment come from enums and config; rep ids come from config.
// Thread-safe.
#pragma once

#include <string>

#include "common/metrics/service_metrics.h"
#include "leadflow/routing/v1/routing.pb.h"

namespace leadflow::routing {

class RoutingMetrics {
 public:
  explicit RoutingMetrics(metrics::ServiceMetrics& m) : m_(m) {}

  void Decision(const leadflow::routing::v1::Decision& d, leadflow::common::v1::Segment segment);
  void SpeedToLead(const leadflow::routing::v1::Decision& d, double seconds);
  void Redelivered();
  void RepOpenLeads(const std::string& team, const std::string& rep, double open);
  void QueueDepth(const std::string& team, double depth);
  void Feedback(const std::string& kind, const std::string& reason);

 private:
  metrics::ServiceMetrics& m_;
};

}  // namespace leadflow::routing

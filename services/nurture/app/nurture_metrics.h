// Nurture's metrics. leadflow_audience_violations_total is deliberately NOT
// service-prefixed (docs/metrics.md names it) and is registered at construction so
// it is always exported, at 0 when all is well. Thread-safe.
#pragma once

#include <string>

#include "common/metrics/service_metrics.h"

namespace leadflow::nurture {

inline constexpr char kAudienceViolationsMetric[] = "leadflow_audience_violations_total";

class NurtureMetrics {
 public:
  explicit NurtureMetrics(metrics::ServiceMetrics& m);

  void Enrolled(const std::string& track);
  void Touch(const std::string& outcome, const std::string& reason);  // sent / suppressed
  void Exited(const std::string& reason);
  void AudienceViolation();
  // A customer's reply, meeting or questionnaire answer told to the owner
  // (kind: REPLY, MEETING, QUESTIONNAIRE_ANSWER).
  void ResponseNotified(const std::string& kind);
  // A lead sent back for a protected reason enrolled in account development
  // and its owner told (reason: BUDGET_TOO_SMALL, RIGID_SPEC, ...).
  void AccountDevelopment(const std::string& reason);
  double violations() const { return violations_.Value(); }

 private:
  metrics::ServiceMetrics& m_;
  metrics::Counter violations_;
};

}  // namespace leadflow::nurture

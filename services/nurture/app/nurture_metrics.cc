#include "nurture/app/nurture_metrics.h"

namespace leadflow::nurture {

NurtureMetrics::NurtureMetrics(metrics::ServiceMetrics& m)
    : m_(m),
      violations_(m.registry().GetCounter(
          kAudienceViolationsMetric,
          "Attempted customer/prospect mixing, blocked (must stay 0 in healthy operation)")) {}

void NurtureMetrics::Enrolled(const std::string& track) {
  m_.registry()
      .GetCounter(m_.Name("enrolments_total"), "Nurture enrolments by track", {{"track", track}})
      .Inc();
}

void NurtureMetrics::Touch(const std::string& outcome, const std::string& reason) {
  m_.registry()
      .GetCounter(m_.Name("touches_total"), "Nurture touches by outcome and reason",
                  {{"outcome", outcome}, {"reason", reason}})
      .Inc();
}

void NurtureMetrics::Exited(const std::string& reason) {
  m_.registry()
      .GetCounter(m_.Name("exits_total"), "Enrolments exited by reason", {{"reason", reason}})
      .Inc();
}

void NurtureMetrics::AudienceViolation() { violations_.Inc(); }

void NurtureMetrics::ResponseNotified(const std::string& kind) {
  m_.registry()
      .GetCounter(m_.Name("customer_responses_total"),
                  "Customer replies, meetings and questionnaire answers told to the account owner",
                  {{"kind", kind}})
      .Inc();
}

void NurtureMetrics::AccountDevelopment(const std::string& reason) {
  m_.registry()
      .GetCounter(m_.Name("account_development_total"),
                  "Rejected leads enrolled in account development, owner told, by reason",
                  {{"reason", reason}})
      .Inc();
}

}  // namespace leadflow::nurture

#include "nurture/app/nurture_metrics.h"

namespace leadflow::nurture {

NurtureMetrics::NurtureMetrics(metrics::ServiceMetrics& m)
    : m_(m),
      violations_(m.registry().GetCounter(
          kAudienceViolationsMetric,
          "Attempted customer/prospect mixing, blocked (must stay 0 in healthy operation)")) {}

namespace {

using Family = metrics::ServiceMetrics::Family;
constexpr Family kEnrolments{"enrolments_total", "Nurture enrolments by track"};
constexpr Family kTouches{"touches_total", "Nurture touches by outcome and reason"};
constexpr Family kExits{"exits_total", "Enrolments exited by reason"};
constexpr Family kResponses{
    "customer_responses_total",
    "Customer replies, meetings and questionnaire answers told to the account owner"};
constexpr Family kAccountDevelopment{
    "account_development_total",
    "Rejected leads enrolled in account development, owner told, by reason"};

}  // namespace

void NurtureMetrics::Enrolled(const std::string& track) {
  m_.CounterOf(kEnrolments, {{"track", track}}).Inc();
}

void NurtureMetrics::Touch(const std::string& outcome, const std::string& reason) {
  m_.CounterOf(kTouches, {{"outcome", outcome}, {"reason", reason}}).Inc();
}

void NurtureMetrics::Exited(const std::string& reason) {
  m_.CounterOf(kExits, {{"reason", reason}}).Inc();
}

void NurtureMetrics::AudienceViolation() { violations_.Inc(); }

void NurtureMetrics::ResponseNotified(const std::string& kind) {
  m_.CounterOf(kResponses, {{"kind", kind}}).Inc();
}

void NurtureMetrics::AccountDevelopment(const std::string& reason) {
  m_.CounterOf(kAccountDevelopment, {{"reason", reason}}).Inc();
}

}  // namespace leadflow::nurture

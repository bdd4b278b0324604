#include "intake/app/intake_metrics.h"

namespace leadflow::intake {
namespace {

using Family = metrics::ServiceMetrics::Family;

constexpr Family kReceived{"leads_received_total", "Lead submissions by source and outcome"};
constexpr Family kRejections{"rejections_total", "Rejected submissions by source and reason"};
constexpr Family kUnknownCampaigns{
    "unknown_campaigns_total",
    "Accepted leads whose campaign_id is not a configured campaign (carried as \"other\"), by "
    "source"};
constexpr Family kRegistryAccounts{"registry_accounts", "Accounts in intake's registry view"};
constexpr Family kRegistryLag{
    "registry_lag_seconds", "Age of the last accounts.changes record applied to the registry view"};
constexpr Family kPartialCoverage{
    "accounts_partial_coverage",
    "Accounts whose newest lead in the coverage window showed a partial buying committee (not "
    "all of economic, technical and end-user buyers, or no decision maker), by relationship. "
    "The same on every replica: aggregate with max."};

}  // namespace

void IntakeMetrics::Received(const std::string& source_label, const std::string& outcome) {
  m_.CounterOf(kReceived, {{"source", source_label}, {"outcome", outcome}}).Inc();
}

double IntakeMetrics::ReceivedCount(const std::string& source_label, const std::string& outcome) {
  return m_.CounterOf(kReceived, {{"source", source_label}, {"outcome", outcome}}).Value();
}

void IntakeMetrics::Rejected(const std::string& source_label, const std::string& reason) {
  m_.CounterOf(kRejections, {{"source", source_label}, {"reason", reason}}).Inc();
}

double IntakeMetrics::RejectedCount(const std::string& source_label, const std::string& reason) {
  return m_.CounterOf(kRejections, {{"source", source_label}, {"reason", reason}}).Value();
}

void IntakeMetrics::UnknownCampaign(const std::string& source_label) {
  m_.CounterOf(kUnknownCampaigns, {{"source", source_label}}).Inc();
}

double IntakeMetrics::UnknownCampaignCount(const std::string& source_label) {
  return m_.CounterOf(kUnknownCampaigns, {{"source", source_label}}).Value();
}

void IntakeMetrics::ValidationSeconds(double seconds) {
  m_.registry()
      .GetHistogram(m_.Name("validation_seconds"), "Time to validate and normalise one submission",
                    {}, metrics::LatencyBuckets())
      .Observe(seconds);
}

void IntakeMetrics::RegistrySize(double accounts) { m_.GaugeOf(kRegistryAccounts).Set(accounts); }

void IntakeMetrics::RegistryLagSeconds(double seconds) { m_.GaugeOf(kRegistryLag).Set(seconds); }

void IntakeMetrics::PartialCoverageAccounts(const std::string& relationship, double accounts) {
  m_.GaugeOf(kPartialCoverage, {{"relationship", relationship}}).Set(accounts);
}

double IntakeMetrics::PartialCoverageAccountsValue(const std::string& relationship) {
  return m_.GaugeOf(kPartialCoverage, {{"relationship", relationship}}).Value();
}

}  // namespace leadflow::intake

#include "intake/app/intake_metrics.h"

namespace leadflow::intake {

void IntakeMetrics::Received(const std::string& source_label, const std::string& outcome) {
  m_.registry()
      .GetCounter(m_.Name("leads_received_total"), "Lead submissions by source and outcome",
                  {{"source", source_label}, {"outcome", outcome}})
      .Inc();
}

double IntakeMetrics::ReceivedCount(const std::string& source_label, const std::string& outcome) {
  return m_.registry()
      .GetCounter(m_.Name("leads_received_total"), "Lead submissions by source and outcome",
                  {{"source", source_label}, {"outcome", outcome}})
      .Value();
}

void IntakeMetrics::Rejected(const std::string& source_label, const std::string& reason) {
  m_.registry()
      .GetCounter(m_.Name("rejections_total"), "Rejected submissions by source and reason",
                  {{"source", source_label}, {"reason", reason}})
      .Inc();
}

double IntakeMetrics::RejectedCount(const std::string& source_label, const std::string& reason) {
  return m_.registry()
      .GetCounter(m_.Name("rejections_total"), "Rejected submissions by source and reason",
                  {{"source", source_label}, {"reason", reason}})
      .Value();
}

namespace {
constexpr char kUnknownCampaignHelp[] =
    "Accepted leads whose campaign_id is not a configured campaign (carried as \"other\"), by "
    "source";
}  // namespace

void IntakeMetrics::UnknownCampaign(const std::string& source_label) {
  m_.registry()
      .GetCounter(m_.Name("unknown_campaigns_total"), kUnknownCampaignHelp,
                  {{"source", source_label}})
      .Inc();
}

double IntakeMetrics::UnknownCampaignCount(const std::string& source_label) {
  return m_.registry()
      .GetCounter(m_.Name("unknown_campaigns_total"), kUnknownCampaignHelp,
                  {{"source", source_label}})
      .Value();
}

void IntakeMetrics::ValidationSeconds(double seconds) {
  m_.registry()
      .GetHistogram(m_.Name("validation_seconds"), "Time to validate and normalise one submission",
                    {}, metrics::LatencyBuckets())
      .Observe(seconds);
}

void IntakeMetrics::RegistrySize(double accounts) {
  m_.registry()
      .GetGauge(m_.Name("registry_accounts"), "Accounts in intake's registry view")
      .Set(accounts);
}

void IntakeMetrics::RegistryLagSeconds(double seconds) {
  m_.registry()
      .GetGauge(m_.Name("registry_lag_seconds"),
                "Age of the last accounts.changes record applied to the registry view")
      .Set(seconds);
}

namespace {
constexpr char kPartialHelp[] =
    "Accounts whose newest lead in the coverage window showed a partial buying committee (not "
    "all of economic, technical and end-user buyers, or no decision maker), by relationship. "
    "The same on every replica: aggregate with max.";
}  // namespace

void IntakeMetrics::PartialCoverageAccounts(const std::string& relationship, double accounts) {
  m_.registry()
      .GetGauge(m_.Name("accounts_partial_coverage"), kPartialHelp,
                {{"relationship", relationship}})
      .Set(accounts);
}

double IntakeMetrics::PartialCoverageAccountsValue(const std::string& relationship) {
  return m_.registry()
      .GetGauge(m_.Name("accounts_partial_coverage"), kPartialHelp,
                {{"relationship", relationship}})
      .Value();
}

}  // namespace leadflow::intake

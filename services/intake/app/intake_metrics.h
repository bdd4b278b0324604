// Intake's own metrics (leadflow_intake_*). Labels are bounded: the source is
// a configured source id or "other" (IntakePolicy::SourceLabel), outcomes and
// reasons come from fixed sets. Thread-safe.
#pragma once

#include <string>

#include "common/metrics/service_metrics.h"

namespace leadflow::intake {

class IntakeMetrics {
 public:
  explicit IntakeMetrics(metrics::ServiceMetrics& m) : m_(m) {}

  // leadflow_intake_leads_received_total{source, outcome=accepted|rejected|duplicate}
  void Received(const std::string& source_label, const std::string& outcome);
  // leadflow_intake_rejections_total{source, reason}: reason is a ReasonCode
  // name, or UNAUTHENTICATED / RATE_LIMITED / SOURCE_MISMATCH for refused
  // synchronous requests. With leads_received_total this gives received by
  // source and outcome (accepted, rejected:reason, duplicate).
  void Rejected(const std::string& source_label, const std::string& reason);
  double RejectedCount(const std::string& source_label, const std::string& reason);
  // leadflow_intake_unknown_campaigns_total{source}: accepted leads whose
  // submission named a campaign not in IntakeConfig.campaigns (their
  // LeadMeta.campaign_id is "other"). A rise means a form sends a campaign
  // the config does not list yet (config/README.md, `campaigns`).
  void UnknownCampaign(const std::string& source_label);
  double UnknownCampaignCount(const std::string& source_label);
  // leadflow_intake_validation_seconds: validation + normalisation time.
  void ValidationSeconds(double seconds);
  // leadflow_intake_registry_accounts: accounts in the registry view.
  void RegistrySize(double accounts);
  // leadflow_intake_registry_lag_seconds: age of the last applied
  // accounts.changes record when it was applied.
  void RegistryLagSeconds(double seconds);

  // leadflow_intake_accounts_partial_coverage{relationship}: accounts whose
  // newest lead showed a partial buying committee (coverage_gauge.h).
  void PartialCoverageAccounts(const std::string& relationship, double accounts);
  double PartialCoverageAccountsValue(const std::string& relationship);

  // leadflow_intake_errors_total{reason="publish"} (common error counter).
  void PublishFailed(const std::string& topic) { m_.Error("publish"); }

  double ReceivedCount(const std::string& source_label, const std::string& outcome);

 private:
  metrics::ServiceMetrics& m_;
};

}  // namespace leadflow::intake

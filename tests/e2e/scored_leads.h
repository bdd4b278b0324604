// Scored leads the routing-only e2e tests publish on leads.scored, as
// scoring would. Header-only.
#pragma once

#include <chrono>
#include <string>

#include "leadflow/scoring/v1/scoring.pb.h"

namespace leadflow::e2e {

// An MQL prospect of segment ENTERPRISE, deal band LARGE, direct channel, in
// RU-MOW, first submitted two seconds ago: key-accounts' lead in the shipped
// rules (team.key_accounts).
inline leadflow::scoring::v1::LeadScored EnterpriseMql(const std::string& id) {
  namespace cv1 = leadflow::common::v1;
  leadflow::scoring::v1::LeadScored s;
  auto* lead = s.mutable_lead();
  auto* meta = lead->mutable_meta();
  meta->set_lead_id(id);
  meta->set_trace_id("trace-" + id);
  meta->set_account_key(id + ".example.ru");
  meta->set_relationship(cv1::PROSPECT);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  meta->mutable_first_submitted_at()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(now).count() - 2);
  lead->mutable_company()->set_region("RU-MOW");
  lead->set_sales_channel(cv1::DIRECT);
  s.set_segment(cv1::ENTERPRISE);
  s.set_deal_band(cv1::DEAL_BAND_LARGE);
  s.set_lifecycle_stage(cv1::MQL);
  s.set_revision(1);
  return s;
}

}  // namespace leadflow::e2e

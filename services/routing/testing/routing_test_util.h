// Test helpers: small RoutingRules built in code (never the shipped config).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "leadflow/config/v1/routing_rules.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"
#include "routing/domain/routing_policy.h"
#include "routing/domain/time_zone.h"

namespace leadflow::routing::testutil {

// Fixed-offset zones for the names tests use; anything else is NotFound.
inline ZoneResolver FixedZones() {
  return [](const std::string& name) -> StatusOr<std::shared_ptr<const TimeZone>> {
    if (name == "Europe/Moscow") return TimeZone::Fixed(name, 3 * 3600);
    if (name == "Asia/Novosibirsk") return TimeZone::Fixed(name, 7 * 3600);
    if (name == "UTC") return TimeZone::Fixed(name, 0);
    return Status::NotFound("unknown time zone \"" + name + "\"");
  };
}

inline leadflow::config::v1::Rep* AddRep(leadflow::config::v1::Team* team, const std::string& id,
                                         int weight, int max_open = 100, int daily_cap = 100000) {
  auto* rep = team->add_reps();
  rep->set_rep_id(id);
  rep->set_weight(weight);
  rep->set_max_open_leads(max_open);
  rep->set_daily_cap(daily_cap);
  auto* h = rep->mutable_hours();
  h->set_time_zone("Europe/Moscow");
  h->set_start_hour(9);
  h->set_end_hour(18);
  for (int d = 1; d <= 5; ++d) h->add_weekdays(d);
  return rep;
}

// Teams: key-accounts (QUEUE), mid-market (TO_NURTURE), partners, accounts
// (customer fallback, enforces hours). Rules: partner channel, large deals,
// RU-MOW region, mid-market segments.
inline leadflow::config::v1::RoutingRules SampleRules() {
  using namespace leadflow::config::v1;
  RoutingRules r;
  r.set_version("test-1");
  auto* ka = r.add_teams();
  ka->set_team_id("key-accounts");
  ka->set_sla_business_minutes(60);
  ka->set_overflow(QUEUE);
  AddRep(ka, "ka-a", 3);
  AddRep(ka, "ka-b", 2);
  AddRep(ka, "ka-c", 1);
  auto* mm = r.add_teams();
  mm->set_team_id("mid-market");
  mm->set_sla_business_minutes(240);
  mm->set_overflow(TO_NURTURE);
  AddRep(mm, "mm-a", 1);
  auto* pt = r.add_teams();
  pt->set_team_id("partners");
  pt->set_sla_business_minutes(480);
  pt->set_overflow(QUEUE);
  AddRep(pt, "pt-a", 1);
  auto* moscow = r.add_teams();
  moscow->set_team_id("moscow");
  moscow->set_sla_business_minutes(30);
  moscow->set_overflow(QUEUE);
  AddRep(moscow, "msk-a", 1);
  auto* acc = r.add_teams();
  acc->set_team_id("accounts");
  acc->set_sla_business_minutes(120);
  acc->set_overflow(QUEUE);
  acc->set_enforce_working_hours(true);
  AddRep(acc, "acc-msk", 1);
  AddRep(acc, "acc-nsk", 1)->mutable_hours()->set_time_zone("Asia/Novosibirsk");

  auto* partner = r.add_team_rules();
  partner->set_rule_id("team.partner");
  partner->set_sales_channel(leadflow::common::v1::PARTNER);
  partner->set_team_id("partners");
  auto* large = r.add_team_rules();
  large->set_rule_id("team.large");
  large->add_segments(leadflow::common::v1::ENTERPRISE);
  large->add_segments(leadflow::common::v1::GOVERNMENT);
  large->add_deal_bands(leadflow::common::v1::DEAL_BAND_LARGE);
  large->set_team_id("key-accounts");
  auto* region = r.add_team_rules();
  region->set_rule_id("team.moscow");
  region->add_region_prefixes("RU-MOW");
  region->add_region_prefixes("RU-MOS");
  region->set_team_id("moscow");
  auto* mid = r.add_team_rules();
  mid->set_rule_id("team.mid");
  mid->add_segments(leadflow::common::v1::MID_MARKET);
  mid->set_team_id("mid-market");
  r.set_default_team("mid-market");
  r.set_customer_fallback_team("accounts");
  r.add_protected_reject_reasons(leadflow::common::v1::BUDGET_TOO_SMALL);
  r.add_protected_reject_reasons(leadflow::common::v1::RIGID_SPEC);
  r.add_protected_reject_reasons(leadflow::common::v1::TAILORED_FOR_COMPETITOR);
  return r;
}

inline std::shared_ptr<const RoutingPolicy> MustPolicy(leadflow::config::v1::RoutingRules r) {
  auto p = RoutingPolicy::Create(std::move(r), FixedZones());
  if (!p.ok()) throw std::runtime_error(p.status().message());
  return *p;
}

// An MQL prospect lead.
inline leadflow::scoring::v1::LeadScored Mql(leadflow::common::v1::Segment segment,
                                             leadflow::common::v1::DealBand band) {
  leadflow::scoring::v1::LeadScored s;
  auto* lead = s.mutable_lead();
  lead->mutable_meta()->set_lead_id("lead-1");
  lead->mutable_meta()->set_trace_id("trace-1");
  lead->mutable_meta()->set_account_key("example.ru");
  lead->mutable_meta()->set_relationship(leadflow::common::v1::PROSPECT);
  lead->mutable_meta()->mutable_first_submitted_at()->set_seconds(1763700000);
  lead->mutable_company()->set_region("RU-SPE");
  lead->set_sales_channel(leadflow::common::v1::DIRECT);
  s.set_segment(segment);
  s.set_deal_band(band);
  s.set_lifecycle_stage(leadflow::common::v1::MQL);
  s.set_revision(1);
  return s;
}

// Friday 2025-11-21 12:00 Moscow (09:00 UTC).
inline std::chrono::system_clock::time_point FridayNoonMoscow() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1763715600));
}

}  // namespace leadflow::routing::testutil

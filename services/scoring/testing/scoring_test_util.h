// A small, self-contained scoring model and leads for tests (never the
// shipped config file).
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "leadflow/intake/v1/intake.pb.h"
#include "scoring/domain/scoring_policy.h"

namespace leadflow::scoring::testutil {

inline void AddMapping(leadflow::config::v1::ScoringModel& m, leadflow::common::v1::BantFactor f,
                       const std::string& key, std::initializer_list<std::pair<const char*, int>> r,
                       int def) {
  auto* b = m.add_bant();
  b->set_factor(f);
  b->set_answer_key(key);
  for (const auto& [a, v] : r) (*b->mutable_ratings())[a] = v;
  b->set_default_rating(def);
}

inline leadflow::config::v1::ScoringModel SmallModel() {
  leadflow::config::v1::ScoringModel m;
  m.set_version("test-1");
  auto* sc = m.mutable_screening();
  sc->add_excluded_industries("Gambling");
  sc->set_min_headcount(10);
  sc->set_min_annual_revenue_rub(1'000'000);
  sc->add_serviceable_regions("RU");
  sc->add_serviceable_regions("KZ");
  sc->set_min_revenue_growth_pct(-30);
  sc->set_screen_growth(true);
  auto* seg = m.mutable_segments();
  seg->set_enterprise_min_revenue_rub(40'000'000'000);
  seg->set_enterprise_min_it_budget_rub(2'500'000'000);
  seg->set_government_min_digitalisation_budget_rub(500'000'000);
  seg->set_infrastructure_min_ict_budget_rub(1'000'000'000);
  seg->set_mid_market_min_revenue_rub(2'000'000'000);
  m.mutable_deal_bands()->set_standard_min_rub(20'000'000);
  m.mutable_deal_bands()->set_large_min_rub(50'000'000);
  AddMapping(m, leadflow::common::v1::BUDGET, "budget",
             {{"none", 1}, {"under_5m", 2}, {"5_20m", 3}, {"20_50m", 4}, {"over_50m", 5}}, 2);
  AddMapping(m, leadflow::common::v1::ACCOUNT, "@decision_role",
             {{"DECISION_MAKER", 5}, {"INFLUENCER", 3}}, 1);
  AddMapping(m, leadflow::common::v1::NEED, "need", {{"just_studying", 1}, {"urgent", 5}}, 2);
  AddMapping(m, leadflow::common::v1::TIME, "timeline", {{"over_12m", 1}, {"now", 5}}, 3);
  m.set_bant_weight(0.2);
  auto fit = [&m](const char* id, leadflow::common::v1::Segment seg_,
                  leadflow::common::v1::BuyerClass bc, leadflow::common::v1::DecisionRole dr,
                  double p) {
    auto* r = m.add_fit_rules();
    r->set_rule_id(id);
    r->set_segment(seg_);
    r->set_buyer_class(bc);
    r->set_decision_role(dr);
    r->set_points(p);
  };
  fit("fit.segment.enterprise", leadflow::common::v1::ENTERPRISE,
      leadflow::common::v1::BUYER_CLASS_UNSPECIFIED,
      leadflow::common::v1::DECISION_ROLE_UNSPECIFIED, 40);
  fit("fit.segment.smb", leadflow::common::v1::SMB, leadflow::common::v1::BUYER_CLASS_UNSPECIFIED,
      leadflow::common::v1::DECISION_ROLE_UNSPECIFIED, 5);
  fit("fit.role.dm", leadflow::common::v1::SEGMENT_UNSPECIFIED,
      leadflow::common::v1::BUYER_CLASS_UNSPECIFIED, leadflow::common::v1::DECISION_MAKER, 15);
  fit("fit.class.economic", leadflow::common::v1::SEGMENT_UNSPECIFIED,
      leadflow::common::v1::ECONOMIC, leadflow::common::v1::DECISION_ROLE_UNSPECIFIED, 10.5);
  auto* e = m.add_engagement();
  e->set_event_type("WEBINAR_ATTENDED");
  e->set_points(15);
  e->set_daily_cap(2);
  m.set_engagement_half_life_days(14);
  m.set_mql_threshold(100);
  for (const auto& [g, min] : {std::pair{"A", 150.0}, {"B", 100.0}, {"C", 50.0}, {"D", 0.0}}) {
    auto* gb = m.add_grades();
    gb->set_grade(g);
    gb->set_min_total(min);
  }
  m.add_named_accounts("Named.Example.RU");
  return m;
}

inline std::shared_ptr<const ScoringPolicy> SmallPolicy(
    leadflow::config::v1::ScoringModel m = SmallModel()) {
  auto p = ScoringPolicy::Create(std::move(m));
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : nullptr;
}

// An ENTERPRISE economic decision maker in Moscow with full BANT answers.
inline leadflow::intake::v1::LeadAccepted EnterpriseLead() {
  leadflow::intake::v1::LeadAccepted l;
  auto* meta = l.mutable_meta();
  meta->set_lead_id("L-00000000000000000000000000000001");
  meta->set_trace_id("t-1");
  meta->set_account_key("example.ru");
  meta->set_relationship(leadflow::common::v1::PROSPECT);
  meta->set_source_id("web-form");
  auto* c = l.mutable_contact();
  c->set_contact_id("c-0000000000000001");
  c->set_email("ivan@example.ru");
  c->set_buyer_class(leadflow::common::v1::ECONOMIC);
  c->set_decision_role(leadflow::common::v1::DECISION_MAKER);
  auto* co = l.mutable_company();
  co->set_domain("example.ru");
  co->set_industry("banking");
  co->set_headcount(5000);
  co->set_annual_revenue_rub(50'000'000'000);
  co->set_it_budget_rub(3'000'000'000);
  co->set_region("RU-MOW");
  l.set_buyer_stage(leadflow::common::v1::VENDOR_EVALUATION);
  l.set_expected_deal_rub(30'000'000);
  (*l.mutable_answers())["budget"] = "20_50m";
  (*l.mutable_answers())["need"] = "urgent";
  (*l.mutable_answers())["timeline"] = "now";
  return l;
}

}  // namespace leadflow::scoring::testutil

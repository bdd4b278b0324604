// Small, self-contained configs and submissions for intake tests (never the
// shipped config files).
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "intake/domain/contact_id_key.h"
#include "intake/domain/intake_policy.h"
#include "leadflow/intake/v1/intake.pb.h"

namespace leadflow::intake::testutil {

// The contact-id key of tests (the services under test get the same one from
// services/common/testing/service_process.cc).
inline const ContactIdKey& TestContactIdKey() {
  static const ContactIdKey key = *ContactIdKey::Create("leadflow-test-contact-id-key-not-a-secret");
  return key;
}

inline leadflow::config::v1::IntakeConfig SmallConfig() {
  leadflow::config::v1::IntakeConfig c;
  c.add_free_mail_domains("gmail.com");
  c.add_free_mail_domains("Mail.RU");
  auto* po = c.add_title_rules();
  po->add_contains("product owner");
  po->set_buyer_class(leadflow::common::v1::TECHNICAL);
  po->set_decision_role(leadflow::common::v1::INFLUENCER);
  auto* ceo = c.add_title_rules();
  ceo->add_contains("Генеральный директор");
  ceo->add_contains("ceo");
  ceo->add_contains("owner");
  ceo->set_buyer_class(leadflow::common::v1::ECONOMIC);
  ceo->set_decision_role(leadflow::common::v1::DECISION_MAKER);
  auto* it = c.add_title_rules();
  it->add_contains("ит-директор");
  it->add_contains("cio");
  it->set_buyer_class(leadflow::common::v1::TECHNICAL);
  it->set_decision_role(leadflow::common::v1::DECISION_MAKER);
  auto* mgr = c.add_title_rules();
  mgr->add_contains("менеджер");
  mgr->add_contains("manager");
  mgr->set_buyer_class(leadflow::common::v1::END_USER);
  auto* intent = c.add_intent_rules();
  intent->set_intent("request_proposal");
  intent->set_buyer_stage(leadflow::common::v1::READY_TO_BUY);
  auto* intent2 = c.add_intent_rules();
  intent2->set_intent("webinar_registration");
  intent2->set_buyer_stage(leadflow::common::v1::PROBLEM_AWARE);
  c.set_default_buyer_stage(leadflow::common::v1::STATUS_QUO);
  c.set_max_payload_bytes(4096);
  c.set_max_string_length(64);
  c.set_dedupe_window_seconds(3600);
  auto* web = c.add_sources();
  web->set_source_id("web-form");
  web->set_marketing(true);
  c.add_sources()->set_source_id("partner-portal");  // not a marketing channel
  c.add_campaigns("spring-webinar-2026");
  c.add_campaigns("cio_guide.v2");
  return c;
}

inline std::shared_ptr<const IntakePolicy> SmallPolicy() {
  auto p = IntakePolicy::Create(SmallConfig());
  EXPECT_TRUE(p.ok()) << p.status().message();
  return *p;
}

// A valid submission: corporate email, valid INN, consent.
inline leadflow::intake::v1::LeadSubmission GoodSubmission() {
  leadflow::intake::v1::LeadSubmission s;
  s.set_source_id("web-form");
  s.set_email("  Ivan.Petrov@Example.RU ");
  s.set_phone("8 (495) 123-45-67");
  s.set_full_name("Иван Петров");
  s.set_job_title("ИТ-директор");
  s.set_company_name("Example");
  s.set_inn("7707083893");
  s.set_industry("Banking");
  s.set_headcount(5000);
  s.set_annual_revenue_rub(50'000'000'000);
  s.set_it_budget_rub(3'000'000'000);
  s.set_region("RU-MOW");
  s.set_expected_deal_rub(30'000'000);
  s.set_intent("request_proposal");
  s.set_consent(true);
  (*s.mutable_answers())["budget"] = "20_50m";
  return s;
}

}  // namespace leadflow::intake::testutil

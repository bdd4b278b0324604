#include "intake/domain/intake_policy.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "intake/testing/intake_test_util.h"
#include "common/testing/paths.h"

namespace leadflow::intake {
namespace {

using leadflow::config::v1::IntakeConfig;

struct BadConfigCase {
  const char* name;
  std::function<void(IntakeConfig&)> mutate;
  const char* field;  // must appear in the error message
};

class BadIntakeConfigTest : public ::testing::TestWithParam<BadConfigCase> {};

TEST_P(BadIntakeConfigTest, RejectedNamingTheField) {
  IntakeConfig c = testutil::SmallConfig();
  GetParam().mutate(c);
  auto p = IntakePolicy::Create(c);
  ASSERT_FALSE(p.ok()) << GetParam().name;
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find(GetParam().field), std::string::npos) << p.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadIntakeConfigTest,
    ::testing::Values(
        BadConfigCase{"payload0", [](IntakeConfig& c) { c.set_max_payload_bytes(0); },
                      "max_payload_bytes"},
        BadConfigCase{"payloadneg", [](IntakeConfig& c) { c.set_max_payload_bytes(-1); },
                      "max_payload_bytes"},
        BadConfigCase{"strlen", [](IntakeConfig& c) { c.set_max_string_length(0); },
                      "max_string_length"},
        BadConfigCase{"window", [](IntakeConfig& c) { c.set_dedupe_window_seconds(0); },
                      "dedupe_window_seconds"},
        BadConfigCase{"nofree", [](IntakeConfig& c) { c.clear_free_mail_domains(); },
                      "free_mail_domains"},
        BadConfigCase{"emptyfree", [](IntakeConfig& c) { c.add_free_mail_domains(" "); },
                      "free_mail_domains[2]"},
        BadConfigCase{"atfree", [](IntakeConfig& c) { c.set_free_mail_domains(0, "a@b.ru"); },
                      "free_mail_domains[0]"},
        BadConfigCase{"norules", [](IntakeConfig& c) { c.clear_title_rules(); }, "title_rules"},
        BadConfigCase{"nocontains",
                      [](IntakeConfig& c) { c.mutable_title_rules(1)->clear_contains(); },
                      "title_rules[1].contains"},
        BadConfigCase{"emptycontains",
                      [](IntakeConfig& c) { c.mutable_title_rules(2)->set_contains(1, ""); },
                      "title_rules[2].contains[1]"},
        BadConfigCase{"badclass",
                      [](IntakeConfig& c) {
                        c.mutable_title_rules(0)->set_buyer_class(
                            static_cast<leadflow::common::v1::BuyerClass>(42));
                      },
                      "title_rules[0].buyer_class"},
        BadConfigCase{"nothingset",
                      [](IntakeConfig& c) {
                        c.mutable_title_rules(3)->clear_buyer_class();
                        c.mutable_title_rules(3)->clear_decision_role();
                      },
                      "title_rules[3]"},
        BadConfigCase{"emptyintent",
                      [](IntakeConfig& c) { c.mutable_intent_rules(0)->set_intent(""); },
                      "intent_rules[0].intent"},
        BadConfigCase{
            "dupintent",
            [](IntakeConfig& c) { c.mutable_intent_rules(1)->set_intent(" Request_Proposal "); },
            "intent_rules[1].intent"},
        BadConfigCase{"nostage",
                      [](IntakeConfig& c) { c.mutable_intent_rules(0)->clear_buyer_stage(); },
                      "intent_rules[0].buyer_stage"},
        BadConfigCase{"nodefault", [](IntakeConfig& c) { c.clear_default_buyer_stage(); },
                      "default_buyer_stage"},
        BadConfigCase{"dupsource",
                      [](IntakeConfig& c) { c.add_sources()->set_source_id("web-form"); },
                      "sources[2].source_id"},
        BadConfigCase{"emptysource", [](IntakeConfig& c) { c.add_sources(); },
                      "sources[2].source_id"},
        BadConfigCase{"badkey",
                      [](IntakeConfig& c) { c.mutable_sources(0)->set_api_key_sha256("xyz"); },
                      "sources[0].api_key_sha256"},
        BadConfigCase{"badrate",
                      [](IntakeConfig& c) { c.mutable_sources(1)->set_rate_per_second(-1); },
                      "sources[1].rate_per_second"},
        BadConfigCase{"emptycampaign", [](IntakeConfig& c) { c.add_campaigns(""); },
                      "campaigns[2]"},
        BadConfigCase{"uppercampaign", [](IntakeConfig& c) { c.set_campaigns(1, "CIO-Guide"); },
                      "campaigns[1]"},
        BadConfigCase{"spacecampaign", [](IntakeConfig& c) { c.set_campaigns(0, "spring 2026"); },
                      "campaigns[0]"},
        BadConfigCase{"slashcampaign", [](IntakeConfig& c) { c.add_campaigns("a/b"); },
                      "campaigns[2]"},
        BadConfigCase{"cyrilliccampaign", [](IntakeConfig& c) { c.add_campaigns("весна"); },
                      "campaigns[2]"},
        BadConfigCase{"longcampaign",
                      [](IntakeConfig& c) { c.add_campaigns(std::string(65, 'a')); },
                      "campaigns[2]"},
        BadConfigCase{"dupcampaign",
                      [](IntakeConfig& c) { c.add_campaigns("spring-webinar-2026"); },
                      "campaigns[2]"},
        BadConfigCase{"reservedcampaign", [](IntakeConfig& c) { c.add_campaigns("other"); },
                      "campaigns[2]"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(IntakePolicyTest, SmallConfigIsValid) {
  EXPECT_TRUE(IntakePolicy::Create(testutil::SmallConfig()).ok());
}

TEST(IntakePolicyTest, FreeMailIsCaseInsensitiveAtLoad) {
  auto p = testutil::SmallPolicy();
  EXPECT_TRUE(p->IsFreeMail("gmail.com"));
  EXPECT_TRUE(p->IsFreeMail("mail.ru"));
  EXPECT_FALSE(p->IsFreeMail("example.ru"));
}

TEST(IntakePolicyTest, TitleInferenceFirstMatchWinsAcrossLanguages) {
  auto p = testutil::SmallPolicy();
  auto ceo = p->InferFromTitle("ГЕНЕРАЛЬНЫЙ ДИРЕКТОР");
  ASSERT_TRUE(ceo);
  EXPECT_EQ(ceo->buyer_class, leadflow::common::v1::ECONOMIC);
  EXPECT_EQ(ceo->decision_role, leadflow::common::v1::DECISION_MAKER);
  auto cio = p->InferFromTitle("Group CIO");
  ASSERT_TRUE(cio);
  EXPECT_EQ(cio->buyer_class, leadflow::common::v1::TECHNICAL);
  // "product owner" comes before "owner".
  auto po = p->InferFromTitle("Senior Product Owner");
  ASSERT_TRUE(po);
  EXPECT_EQ(po->decision_role, leadflow::common::v1::INFLUENCER);
  auto mgr = p->InferFromTitle("Менеджер проектов");
  ASSERT_TRUE(mgr);
  EXPECT_EQ(mgr->buyer_class, leadflow::common::v1::END_USER);
  EXPECT_EQ(mgr->decision_role, leadflow::common::v1::DECISION_ROLE_UNSPECIFIED);
  EXPECT_FALSE(p->InferFromTitle("Astronaut"));
  EXPECT_FALSE(p->InferFromTitle(""));
}

TEST(IntakePolicyTest, IntentStages) {
  auto p = testutil::SmallPolicy();
  EXPECT_EQ(p->StageForIntent("request_proposal"), leadflow::common::v1::READY_TO_BUY);
  EXPECT_EQ(p->StageForIntent(" Webinar_Registration "), leadflow::common::v1::PROBLEM_AWARE);
  EXPECT_EQ(p->StageForIntent("something_else"), leadflow::common::v1::STATUS_QUO);
  EXPECT_EQ(p->StageForIntent(""), leadflow::common::v1::STATUS_QUO);
}

TEST(IntakePolicyTest, CampaignIdsAtTheLimitsLoad) {
  IntakeConfig c = testutil::SmallConfig();
  c.add_campaigns(std::string(64, 'a'));
  c.add_campaigns("x");
  c.add_campaigns("utm_2026.q3-a");
  EXPECT_TRUE(IntakePolicy::Create(c).ok());
}

TEST(IntakePolicyTest, MarketingFollowsTheSourceConfig) {
  IntakeConfig c = testutil::SmallConfig();
  auto p = *IntakePolicy::Create(c);
  EXPECT_TRUE(p->IsMarketingSource("web-form"));
  EXPECT_FALSE(p->IsMarketingSource("partner-portal"));
  EXPECT_FALSE(p->IsMarketingSource("unconfigured-form"));
  EXPECT_FALSE(p->IsMarketingSource(""));
  // Flip both flags: the answer is the config's, not the source's name.
  c.mutable_sources(0)->set_marketing(false);
  c.mutable_sources(1)->set_marketing(true);
  p = *IntakePolicy::Create(c);
  EXPECT_FALSE(p->IsMarketingSource("web-form"));
  EXPECT_TRUE(p->IsMarketingSource("partner-portal"));
}

TEST(IntakePolicyTest, CampaignForIsBounded) {
  auto p = testutil::SmallPolicy();
  EXPECT_EQ(p->CampaignFor("spring-webinar-2026"), "spring-webinar-2026");
  EXPECT_EQ(p->CampaignFor("cio_guide.v2"), "cio_guide.v2");
  EXPECT_EQ(p->CampaignFor("  Spring-Webinar-2026 "), "spring-webinar-2026");
  EXPECT_EQ(p->CampaignFor("autumn-webinar-2026"), "other");
  EXPECT_EQ(p->CampaignFor("attacker-chosen-" + std::string(40, 'z')), "other");
  EXPECT_EQ(p->CampaignFor("other"), "other");
  EXPECT_EQ(p->CampaignFor(""), "");
  EXPECT_EQ(p->CampaignFor(" \t "), "");
  // No campaigns configured: every named campaign is "other".
  IntakeConfig none = testutil::SmallConfig();
  none.clear_campaigns();
  EXPECT_EQ((*IntakePolicy::Create(none))->CampaignFor("spring-webinar-2026"), "other");
}

TEST(IntakePolicyTest, SourceLabelIsBounded) {
  auto p = testutil::SmallPolicy();
  EXPECT_EQ(p->SourceLabel("web-form"), "web-form");
  EXPECT_EQ(p->SourceLabel("attacker-chosen-123"), "other");
  EXPECT_EQ(p->SourceLabel(""), "other");
}

}  // namespace
}  // namespace leadflow::intake

namespace leadflow::intake {
namespace {

// The shipped default must load and validate (its contents are not asserted).
TEST(IntakePolicyTest, ShippedDefaultConfigValidates) {
  const std::string path = leadflow::testing::SourcePath("config/intake.json");
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path << " not found";
  std::stringstream buf;
  buf << in.rdbuf();
  leadflow::config::v1::IntakeConfig c;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(buf.str(), &c).ok());
  auto p = IntakePolicy::Create(c);
  ASSERT_TRUE(p.ok()) << p.status().message();
  // The shipped rules order "product owner" before "owner" and "cto" last.
  auto cto = (*p)->InferFromTitle("CTO");
  ASSERT_TRUE(cto);
  EXPECT_EQ(cto->buyer_class, leadflow::common::v1::TECHNICAL);
}

}  // namespace
}  // namespace leadflow::intake

// The shipped config/intake.json embodies docs/domain-rules.md: job titles in Russian and
// English map to the buyer classes and decision roles, form intents to buyer
// stages, the free-mail list covers the big Russian and global providers, and
// every source has a hashed API key and a rate limit; web forms and webinars
// are marketing channels, and nurture's campaigns are known campaigns.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "intake/domain/intake_policy.h"
#include "intake/testing/intake_test_util.h"
#include "intake/domain/normalization.h"
#include "leadflow/config/v1/nurture_config.pb.h"
#include "common/testing/paths.h"

namespace leadflow::intake {
namespace {

using leadflow::common::v1::BuyerClass;
using leadflow::common::v1::BuyerStage;
using leadflow::common::v1::DecisionRole;

std::shared_ptr<const IntakePolicy> Shipped() {
  const std::string path = leadflow::testing::SourcePath("config/intake.json");
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path << " not found";
  std::stringstream buf;
  buf << in.rdbuf();
  leadflow::config::v1::IntakeConfig c;
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = false;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(buf.str(), &c, o).ok());
  auto p = IntakePolicy::Create(c);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : nullptr;
}

struct TitleCase {
  const char* title;
  BuyerClass buyer_class;
  DecisionRole role;
};

void PrintTo(const TitleCase& c, std::ostream* os) { *os << c.title; }

class ShippedTitleTest : public ::testing::TestWithParam<TitleCase> {};

TEST_P(ShippedTitleTest, InfersClassAndRole) {
  auto policy = Shipped();
  ASSERT_NE(policy, nullptr);
  auto got = policy->InferFromTitle(GetParam().title);
  ASSERT_TRUE(got.has_value()) << GetParam().title;
  EXPECT_EQ(got->buyer_class, GetParam().buyer_class) << GetParam().title;
  EXPECT_EQ(got->decision_role, GetParam().role) << GetParam().title;
}

const auto kEco = leadflow::common::v1::ECONOMIC;
const auto kTech = leadflow::common::v1::TECHNICAL;
const auto kUser = leadflow::common::v1::END_USER;
const auto kDm = leadflow::common::v1::DECISION_MAKER;
const auto kInf = leadflow::common::v1::INFLUENCER;

INSTANTIATE_TEST_SUITE_P(
    RuAndEn, ShippedTitleTest,
    ::testing::Values(
        TitleCase{"Генеральный директор", kEco, kDm}, TitleCase{"CEO", kEco, kDm},
        TitleCase{"Managing Director", kEco, kDm}, TitleCase{"Собственник бизнеса", kEco, kDm},
        TitleCase{"Founder", kEco, kDm}, TitleCase{"Финансовый директор", kEco, kDm},
        TitleCase{"CFO", kEco, kDm}, TitleCase{"Коммерческий директор", kEco, kDm},
        TitleCase{"ИТ-директор", kTech, kDm}, TitleCase{"IT Director", kTech, kDm},
        TitleCase{"Директор по ИТ", kTech, kDm}, TitleCase{"CTO", kTech, kDm},
        TitleCase{"CIO", kTech, kDm}, TitleCase{"Технический директор", kTech, kDm},
        TitleCase{"Head of IT", kTech, kDm}, TitleCase{"Руководитель производства", kTech, kDm},
        TitleCase{"Главный инженер", kTech, kDm}, TitleCase{"Product Owner", kTech, kInf},
        TitleCase{"Владелец продукта", kTech, kInf},
        TitleCase{"Системный администратор", kTech, kInf},
        TitleCase{"Senior Developer", kTech, kInf}, TitleCase{"Архитектор решений", kTech, kInf},
        TitleCase{"Главный бухгалтер", kEco, kInf}, TitleCase{"Procurement Specialist", kEco, kInf},
        TitleCase{"Менеджер по продажам", kUser, kInf}, TitleCase{"Business Analyst", kUser, kInf},
        TitleCase{"Специалист отдела кадров", kUser, kInf}));

TEST(ShippedConfigTest, IntentsMapToBuyerStages) {
  auto policy = Shipped();
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->StageForIntent("download_whitepaper"), leadflow::common::v1::STATUS_QUO);
  EXPECT_EQ(policy->StageForIntent("webinar_registration"), leadflow::common::v1::PROBLEM_AWARE);
  EXPECT_EQ(policy->StageForIntent("case_study"), leadflow::common::v1::SOLUTION_EXPLORATION);
  EXPECT_EQ(policy->StageForIntent("request_demo"), leadflow::common::v1::VENDOR_EVALUATION);
  EXPECT_EQ(policy->StageForIntent("request_proposal"), leadflow::common::v1::READY_TO_BUY);
  EXPECT_EQ(policy->StageForIntent(" Request_Proposal "), leadflow::common::v1::READY_TO_BUY);
  EXPECT_EQ(policy->StageForIntent("something_new"), leadflow::common::v1::STATUS_QUO);
}

TEST(ShippedConfigTest, FreeMailNeverBecomesTheAccountKey) {
  auto policy = Shipped();
  ASSERT_NE(policy, nullptr);
  for (const char* d : {"gmail.com", "mail.ru", "yandex.ru", "ya.ru", "bk.ru", "list.ru",
                        "inbox.ru", "rambler.ru", "outlook.com", "icloud.com"}) {
    EXPECT_TRUE(policy->IsFreeMail(d)) << d;
  }
  EXPECT_FALSE(policy->IsFreeMail("sberbank.ru"));
  auto s = testutil::GoodSubmission();
  s.set_email("Ivan.Petrov@Yandex.RU");
  s.clear_inn();
  const auto n = NormalizeSubmission(s, *policy, testutil::TestContactIdKey());
  EXPECT_EQ(n.lead.contact().email(), "ivan.petrov@yandex.ru");
  EXPECT_TRUE(n.lead.company().domain().empty());
  EXPECT_EQ(n.lead.meta().account_key(), "ivan.petrov@yandex.ru");
  s.set_email("  Ivan.Petrov@Sberbank.RU ");
  EXPECT_EQ(NormalizeSubmission(s, *policy, testutil::TestContactIdKey()).lead.meta().account_key(), "sberbank.ru");
  s.set_inn("7707083893");
  EXPECT_EQ(NormalizeSubmission(s, *policy, testutil::TestContactIdKey()).lead.meta().account_key(), "7707083893");
}

TEST(ShippedConfigTest, ExplicitFormFieldsOverrideTheTitle) {
  auto policy = Shipped();
  ASSERT_NE(policy, nullptr);
  auto s = testutil::GoodSubmission();
  s.set_job_title("Генеральный директор");
  s.set_buyer_class(leadflow::common::v1::TECHNICAL);
  const auto n = NormalizeSubmission(s, *policy, testutil::TestContactIdKey());
  EXPECT_EQ(n.lead.contact().buyer_class(), leadflow::common::v1::TECHNICAL);
  EXPECT_EQ(n.lead.contact().decision_role(), leadflow::common::v1::DECISION_MAKER);  // inferred
}

TEST(ShippedConfigTest, EverySourceHasAHashedKeyAndARateLimit) {
  auto policy = Shipped();
  ASSERT_NE(policy, nullptr);
  ASSERT_GE(policy->config().sources_size(), 1);
  for (const auto& s : policy->config().sources()) {
    EXPECT_EQ(s.api_key_sha256().size(), 64u) << s.source_id();
    EXPECT_GT(s.rate_per_second(), 0) << s.source_id();
  }
}

TEST(ShippedConfigTest, MarketingSourcesAreTheWebFormAndTheWebinars) {
  auto policy = Shipped();
  ASSERT_NE(policy, nullptr);
  EXPECT_TRUE(policy->IsMarketingSource("web-form-main"));
  EXPECT_TRUE(policy->IsMarketingSource("webinar-platform"));
  EXPECT_FALSE(policy->IsMarketingSource("partner-portal"));
  EXPECT_FALSE(policy->IsMarketingSource("privacy-desk"));
}

// A lead that names one of nurture's campaigns (config/nurture.json) keeps it,
// so won revenue by campaign lines up with the campaigns marketing runs.
TEST(ShippedConfigTest, EveryNurtureCampaignIsAKnownCampaign) {
  auto policy = Shipped();
  ASSERT_NE(policy, nullptr);
  std::ifstream in(leadflow::testing::SourcePath("config/nurture.json"));
  ASSERT_TRUE(in.good());
  std::stringstream buf;
  buf << in.rdbuf();
  leadflow::config::v1::NurtureConfig nurture;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(buf.str(), &nurture).ok());
  ASSERT_GE(nurture.campaigns_size(), 1);
  for (const auto& campaign : nurture.campaigns()) {
    EXPECT_EQ(policy->CampaignFor(campaign.campaign_id()), campaign.campaign_id());
  }
  EXPECT_EQ(policy->CampaignFor("not-a-campaign-of-ours"), "other");
}

}  // namespace
}  // namespace leadflow::intake

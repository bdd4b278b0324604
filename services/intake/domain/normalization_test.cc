#include "intake/domain/normalization.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "intake/domain/identity.h"
#include "intake/testing/intake_test_util.h"
#include "intake/domain/lead_events.h"
#include "intake/domain/validation.h"

namespace leadflow::intake {
namespace {

using leadflow::intake::v1::LeadSubmission;

class NormalizationTest : public ::testing::Test {
 protected:
  NormalizedLead Norm(const LeadSubmission& s) {
    EXPECT_TRUE(ValidateSubmission(s, *policy_).empty());
    return NormalizeSubmission(s, *policy_, testutil::TestContactIdKey());
  }
  std::shared_ptr<const IntakePolicy> policy_ = testutil::SmallPolicy();
};

TEST_F(NormalizationTest, CorporateLeadWithInn) {
  const auto n = Norm(testutil::GoodSubmission());
  const auto& lead = n.lead;
  EXPECT_EQ(lead.contact().email(), "ivan.petrov@example.ru");
  EXPECT_EQ(lead.contact().phone(), "+74951234567");
  EXPECT_EQ(n.contact_key, "ivan.petrov@example.ru");
  EXPECT_EQ(lead.contact().contact_id(), testutil::TestContactIdKey().ContactIdFor("ivan.petrov@example.ru"));
  EXPECT_EQ(lead.company().domain(), "example.ru");
  EXPECT_EQ(lead.company().inn(), "7707083893");
  EXPECT_EQ(lead.company().industry(), "banking");
  EXPECT_EQ(lead.meta().account_key(), "7707083893");
  EXPECT_EQ(lead.meta().source_id(), "web-form");
  EXPECT_EQ(lead.buyer_stage(), leadflow::common::v1::READY_TO_BUY);
  EXPECT_EQ(lead.sales_channel(), leadflow::common::v1::DIRECT);
  EXPECT_EQ(lead.answers().at("budget"), "20_50m");
  EXPECT_EQ(lead.expected_deal_rub(), 30'000'000);
  EXPECT_TRUE(lead.meta().lead_id().empty());
}

TEST_F(NormalizationTest, CampaignIsKnownOtherOrNone) {
  auto s = testutil::GoodSubmission();
  EXPECT_EQ(Norm(s).lead.meta().campaign_id(), "");  // none given
  s.set_campaign_id("spring-webinar-2026");
  EXPECT_EQ(Norm(s).lead.meta().campaign_id(), "spring-webinar-2026");
  s.set_campaign_id(" CIO_Guide.v2 ");
  EXPECT_EQ(Norm(s).lead.meta().campaign_id(), "cio_guide.v2");
  s.set_campaign_id("black-friday-2026");  // not in the config
  EXPECT_EQ(Norm(s).lead.meta().campaign_id(), "other");
  s.set_campaign_id("Весенняя распродажа!");
  EXPECT_EQ(Norm(s).lead.meta().campaign_id(), "other");
  s.set_campaign_id("   ");
  EXPECT_EQ(Norm(s).lead.meta().campaign_id(), "");
}

TEST_F(NormalizationTest, MarketingSourcedFollowsTheSourceConfig) {
  auto s = testutil::GoodSubmission();  // web-form: marketing in SmallConfig
  EXPECT_TRUE(Norm(s).lead.meta().marketing_sourced());
  s.set_source_id(" web-form ");
  EXPECT_TRUE(Norm(s).lead.meta().marketing_sourced());
  s.set_source_id("partner-portal");
  EXPECT_FALSE(Norm(s).lead.meta().marketing_sourced());
  s.set_source_id("unconfigured-form");
  EXPECT_FALSE(Norm(s).lead.meta().marketing_sourced());

  auto config = testutil::SmallConfig();
  config.mutable_sources(0)->set_marketing(false);
  policy_ = *IntakePolicy::Create(config);
  s.set_source_id("web-form");
  EXPECT_FALSE(Norm(s).lead.meta().marketing_sourced());
}

TEST_F(NormalizationTest, AccountKeyFallbacks) {
  auto s = testutil::GoodSubmission();
  s.clear_inn();
  EXPECT_EQ(Norm(s).lead.meta().account_key(), "example.ru");

  s.set_email(" Ivan@GMail.com ");
  auto free = Norm(s);
  EXPECT_EQ(free.lead.company().domain(), "");
  EXPECT_EQ(free.lead.meta().account_key(), "ivan@gmail.com");

  s.set_email("ivan@mail.ru");  // configured as "Mail.RU"
  EXPECT_EQ(Norm(s).lead.meta().account_key(), "ivan@mail.ru");

  s.clear_email();
  auto phone_only = Norm(s);
  EXPECT_EQ(phone_only.lead.meta().account_key(), "+74951234567");
  EXPECT_EQ(phone_only.contact_key, "+74951234567");
  EXPECT_EQ(phone_only.lead.contact().contact_id(), testutil::TestContactIdKey().ContactIdFor("+74951234567"));
}

TEST_F(NormalizationTest, FreeMailNeverBecomesAccountKeyEvenWithInnAbsent) {
  auto s = testutil::GoodSubmission();
  s.clear_inn();
  s.set_email("boss@gmail.com");
  const auto n = Norm(s);
  EXPECT_NE(n.lead.meta().account_key(), "gmail.com");
}

TEST_F(NormalizationTest, ContactIdSameForDifferentSpellingsOfOneEmail) {
  auto a = testutil::GoodSubmission();
  auto b = testutil::GoodSubmission();
  b.set_email("IVAN.PETROV@example.ru");
  EXPECT_EQ(Norm(a).lead.contact().contact_id(), Norm(b).lead.contact().contact_id());
}

TEST_F(NormalizationTest, TitleInferenceAndExplicitOverride) {
  auto s = testutil::GoodSubmission();
  s.set_job_title("ИТ-ДИРЕКТОР");
  auto inferred = Norm(s).lead.contact();
  EXPECT_EQ(inferred.buyer_class(), leadflow::common::v1::TECHNICAL);
  EXPECT_EQ(inferred.decision_role(), leadflow::common::v1::DECISION_MAKER);
  EXPECT_TRUE(inferred.buyer_class_inferred());
  EXPECT_TRUE(inferred.decision_role_inferred());

  s.set_buyer_class(leadflow::common::v1::ECONOMIC);
  auto partial = Norm(s).lead.contact();
  EXPECT_EQ(partial.buyer_class(), leadflow::common::v1::ECONOMIC);
  EXPECT_FALSE(partial.buyer_class_inferred());
  EXPECT_EQ(partial.decision_role(), leadflow::common::v1::DECISION_MAKER);
  EXPECT_TRUE(partial.decision_role_inferred());

  s.set_decision_role(leadflow::common::v1::INFLUENCER);
  auto explicit_both = Norm(s).lead.contact();
  EXPECT_EQ(explicit_both.decision_role(), leadflow::common::v1::INFLUENCER);
  EXPECT_FALSE(explicit_both.decision_role_inferred());

  s.clear_buyer_class();
  s.clear_decision_role();
  s.set_job_title("Astronaut");
  auto none = Norm(s).lead.contact();
  EXPECT_EQ(none.buyer_class(), leadflow::common::v1::BUYER_CLASS_UNSPECIFIED);
  EXPECT_FALSE(none.buyer_class_inferred());
}

TEST_F(NormalizationTest, DefaultStageAndPartnerChannel) {
  auto s = testutil::GoodSubmission();
  s.set_intent("download_whitepaper");
  s.set_channel("Partner");
  const auto n = Norm(s);
  EXPECT_EQ(n.lead.buyer_stage(), leadflow::common::v1::STATUS_QUO);
  EXPECT_EQ(n.lead.sales_channel(), leadflow::common::v1::PARTNER);
  s.set_channel("direct");
  EXPECT_EQ(Norm(s).lead.sales_channel(), leadflow::common::v1::DIRECT);
}

TEST(ClassificationTest, CustomerGetsOwnerProspectOtherwise) {
  leadflow::intake::v1::LeadAccepted lead;
  ApplyRelationship(std::nullopt, &lead);
  EXPECT_EQ(lead.meta().relationship(), leadflow::common::v1::PROSPECT);

  leadflow::accounts::v1::AccountState acct;
  acct.set_relationship(leadflow::common::v1::CUSTOMER);
  acct.set_owner_rep_id("rep-7");
  acct.set_owner_team("key-accounts");
  ApplyRelationship(acct, &lead);
  EXPECT_EQ(lead.meta().relationship(), leadflow::common::v1::CUSTOMER);
  EXPECT_EQ(lead.account_owner(), "rep-7");
  EXPECT_EQ(lead.owner_team(), "key-accounts");

  acct.set_relationship(leadflow::common::v1::PROSPECT);
  ApplyRelationship(acct, &lead);
  EXPECT_EQ(lead.meta().relationship(), leadflow::common::v1::PROSPECT);
  EXPECT_EQ(lead.account_owner(), "");
  EXPECT_EQ(lead.owner_team(), "");
}

// Named (ABM) prospects carry their named owner to routing; before, intake
// cleared it and routing said "named account without a known owner".
TEST(ClassificationTest, NamedProspectCarriesItsNamedOwner) {
  leadflow::accounts::v1::AccountState sber;
  sber.set_account_key("7707083893");
  sber.set_relationship(leadflow::common::v1::PROSPECT);
  sber.set_named_account(true);
  sber.set_named_owner_rep_id("ka-vorontsov");
  leadflow::intake::v1::LeadAccepted lead;
  ApplyRelationship(sber, &lead);
  EXPECT_EQ(lead.meta().relationship(), leadflow::common::v1::PROSPECT);
  EXPECT_EQ(lead.account_owner(), "ka-vorontsov");
  EXPECT_EQ(lead.owner_team(), "");

  // Not named (a stale named owner left on the record), or named without an
  // owner: no owner.
  sber.set_named_account(false);
  ApplyRelationship(sber, &lead);
  EXPECT_EQ(lead.account_owner(), "");
  sber.set_named_account(true);
  sber.clear_named_owner_rep_id();
  sber.set_owner_rep_id("someone");  // the customer owner field means nothing for a prospect
  ApplyRelationship(sber, &lead);
  EXPECT_EQ(lead.account_owner(), "");

  // A customer that is also named goes to its account owner, not the named one.
  sber.set_relationship(leadflow::common::v1::CUSTOMER);
  sber.set_owner_rep_id("ka-belova");
  sber.set_named_owner_rep_id("ka-vorontsov");
  ApplyRelationship(sber, &lead);
  EXPECT_EQ(lead.meta().relationship(), leadflow::common::v1::CUSTOMER);
  EXPECT_EQ(lead.account_owner(), "ka-belova");
}

TEST(LeadEventsTest, IdempotencyKeyPrefersClientKey) {
  auto policy = testutil::SmallPolicy();
  auto s = testutil::GoodSubmission();
  const auto derived = IdempotencyKeyFor(s, "ivan@example.ru", 1000, *policy);
  EXPECT_EQ(derived.substr(0, 2), "d-");
  EXPECT_EQ(derived, IdempotencyKeyFor(s, "ivan@example.ru", 3599, *policy));
  EXPECT_NE(derived, IdempotencyKeyFor(s, "ivan@example.ru", 3600, *policy));
  s.set_idempotency_key("abc");
  const auto client = IdempotencyKeyFor(s, "ivan@example.ru", 1000, *policy);
  EXPECT_EQ(client.substr(0, 2), "k-");
  EXPECT_EQ(client, IdempotencyKeyFor(s, "other@example.ru", 999999, *policy));
}

TEST(LeadEventsTest, StampAndResubmission) {
  leadflow::intake::v1::LeadAccepted lead;
  lead.mutable_contact()->set_contact_id("c-1");
  lead.mutable_meta()->set_account_key("example.ru");
  lead.mutable_meta()->set_source_id("web-form");
  StampIdentity("L-1", "t-1", 1'700'000'000'123, &lead);
  EXPECT_EQ(lead.meta().lead_id(), "L-1");
  EXPECT_EQ(lead.meta().trace_id(), "t-1");
  EXPECT_EQ(
      google::protobuf::util::TimeUtil::TimestampToMilliseconds(lead.meta().first_submitted_at()),
      1'700'000'000'123);
  const auto e = MakeResubmissionEvent(lead, "L-0", "e-1", 5000);
  EXPECT_EQ(e.type(), leadflow::engagement::v1::FORM_RESUBMITTED);
  EXPECT_EQ(e.lead_id(), "L-0");
  EXPECT_EQ(e.contact_id(), "c-1");
  EXPECT_EQ(e.account_key(), "example.ru");
  EXPECT_EQ(e.source_id(), "web-form");
  EXPECT_EQ(e.event_id(), "e-1");
}

}  // namespace
}  // namespace leadflow::intake

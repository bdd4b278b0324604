#include "outcome.h"

#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "leadflow/common/v1/dead_letter.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"

namespace leadflow::cli {
namespace {

namespace rv1 = leadflow::routing::v1;

TEST(OutcomeTest, AssignedShowsTeamRepAndMatchedPath) {
  rv1::LeadAssigned a;
  a.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id("L-1");
  a.mutable_scored()->mutable_lead()->mutable_company()->set_name("Sber");
  a.mutable_scored()->set_segment(leadflow::common::v1::ENTERPRISE);
  a.mutable_decision()->set_outcome(rv1::ASSIGNED);
  a.mutable_decision()->set_team("key-accounts");
  a.mutable_decision()->set_rep_id("ivanov");
  auto* skipped = a.mutable_decision()->add_path();
  skipped->set_rule_id("order.customer");
  skipped->set_matched(false);
  auto* hit = a.mutable_decision()->add_path();
  hit->set_rule_id("team.key_accounts");
  hit->set_matched(true);
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsAssigned;
  m.payload = a.SerializeAsString();
  auto row = DescribeOutput(m);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->lead_id, "L-1");
  EXPECT_EQ(row->outcome, "ASSIGNED");
  EXPECT_EQ(row->who, "key-accounts/ivanov");
  EXPECT_EQ(row->why, "team.key_accounts");
  EXPECT_EQ(row->segment, "ENTERPRISE");
  EXPECT_TRUE(row->final);
}

TEST(OutcomeTest, RejectedListsFieldErrors) {
  leadflow::common::v1::LeadRejected r;
  r.set_stage(leadflow::common::v1::INTAKE);
  r.set_reason(leadflow::common::v1::INVALID_FIELD);
  auto* e = r.add_errors();
  e->set_field_path("email");
  e->set_message("not an email address");
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsRejected;
  m.payload = r.SerializeAsString();
  auto row = DescribeOutput(m);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->outcome, "REJECTED");
  EXPECT_EQ(row->why, "INVALID_FIELD; email: not an email address");
}

TEST(OutcomeTest, NurtureRowHasNoDanglingSeparator) {
  rv1::NurtureRequested n;
  n.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id("L-2");
  n.mutable_scored()->set_total_score(71);
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsNurture;
  m.payload = n.SerializeAsString();
  auto row = DescribeOutput(m);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->why, "score 71 below MQL");
  ASSERT_TRUE(row->score);
  EXPECT_EQ(*row->score, 71);
  n.set_reason(leadflow::common::v1::NO_RESPONSE);
  m.payload = n.SerializeAsString();
  EXPECT_EQ(DescribeOutput(m)->why, "score 71 below MQL; NO_RESPONSE");
}

TEST(OutcomeTest, DisqualifiedRowShowsTheScoredCompany) {
  leadflow::scoring::v1::LeadScored scored;
  scored.mutable_lead()->mutable_meta()->set_lead_id("L-3");
  scored.mutable_lead()->mutable_company()->set_name("Small Firm");
  scored.set_segment(leadflow::common::v1::SMB);
  scored.set_total_score(12);
  scored.set_disqualified(true);
  leadflow::common::v1::LeadRejected r;
  r.set_stage(leadflow::common::v1::ROUTING);
  r.set_disqualified(true);
  r.set_reason(leadflow::common::v1::SCREENED_INDUSTRY);
  r.set_original(scored.SerializeAsString());
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsRejected;
  m.payload = r.SerializeAsString();
  auto row = DescribeOutput(m);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->outcome, "DISQUALIFIED");
  EXPECT_EQ(row->company, "Small Firm");
  EXPECT_EQ(row->segment, "SMB");
  ASSERT_TRUE(row->score);
  EXPECT_EQ(*row->score, 12);
}

TEST(OutcomeTest, AScoreReadsTheSameInItsColumnAndInItsReason) {
  rv1::NurtureRequested n;
  n.mutable_scored()->set_total_score(12.5);
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsNurture;
  m.payload = n.SerializeAsString();
  auto row = DescribeOutput(m);
  ASSERT_TRUE(row && row->score);
  EXPECT_EQ(ScoreText(*row->score), "13");
  EXPECT_EQ(row->why, "score 13 below MQL");
}

TEST(OutcomeTest, RejectionReasonsAreNotRepeatedAndNeedNoField) {
  leadflow::common::v1::LeadRejected r;
  r.set_reason(leadflow::common::v1::MALFORMED_PAYLOAD);
  r.add_errors()->set_message("payload is not well-formed UTF-8 JSON");
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsRejected;
  m.payload = r.SerializeAsString();
  EXPECT_EQ(DescribeOutput(m)->why, "MALFORMED_PAYLOAD; payload is not well-formed UTF-8 JSON");
  leadflow::common::v1::LeadRejected d;
  d.set_reason(leadflow::common::v1::SCREENED_INDUSTRY);
  d.set_detail("disqualified by screening: SCREENED_INDUSTRY");
  m.payload = d.SerializeAsString();
  EXPECT_EQ(DescribeOutput(m)->why, "disqualified by screening: SCREENED_INDUSTRY");
}

TEST(OutcomeTest, AnIntakeRejectionHasNoScore) {
  leadflow::common::v1::LeadRejected r;
  r.set_stage(leadflow::common::v1::INTAKE);
  r.set_original("{not json");
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsRejected;
  m.payload = r.SerializeAsString();
  auto row = DescribeOutput(m);
  ASSERT_TRUE(row);
  EXPECT_FALSE(row->score);
  EXPECT_TRUE(row->company.empty());
}

TEST(OutcomeTest, GarbageAndUnknownTopicsAreSkipped) {
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsAssigned;
  m.payload = "\xff\xff\xff";
  EXPECT_FALSE(DescribeOutput(m));
  m.topic = "other";
  EXPECT_FALSE(DescribeOutput(m));
}

TEST(OutcomeTest, NotificationsSayWhatWasSentWhatCameBackAndWhyAnAccountIsDeveloped) {
  namespace nv1 = leadflow::nurture::v1;
  nv1::AccountNotification n;
  n.set_account_key("7702070139");
  n.set_owner_rep_id("ka-vorontsov");
  n.set_kind(nv1::CUSTOMER_RESPONDED);
  n.set_programme_id("satisfaction-audit");
  n.mutable_response()->set_kind(nv1::MEETING);
  n.mutable_response()->set_content_id("c-satisfaction-meeting");
  auto row = DescribeNotification(n.SerializeAsString());
  ASSERT_TRUE(row);
  EXPECT_EQ(row->kind, "CUSTOMER_RESPONDED");
  EXPECT_EQ(row->owner, "ka-vorontsov");
  EXPECT_EQ(row->what, "MEETING to c-satisfaction-meeting, programme satisfaction-audit");

  nv1::AccountNotification d;
  d.set_kind(nv1::ACCOUNT_DEVELOPMENT);
  d.set_account_key("7708503727");
  d.set_owner_rep_id("ka-kuznetsov");
  d.set_lead_id("L-9");
  d.set_rejected_by_rep_id("ka-kuznetsov");
  d.set_rejection_reason(leadflow::common::v1::RIGID_SPEC);
  d.set_track_id("account-dev-next-tender-spec");
  row = DescribeNotification(d.SerializeAsString());
  ASSERT_TRUE(row);
  EXPECT_EQ(row->kind, "ACCOUNT_DEVELOPMENT");
  EXPECT_EQ(row->what,
            "lead L-9 rejected by ka-kuznetsov as RIGID_SPEC: track account-dev-next-tender-spec");

  nv1::AccountNotification old;  // written before kinds existed: a touch
  old.set_content_id("c-year-results-2025");
  old.set_channel(leadflow::common::v1::EMAIL);
  old.set_track_id("customer-upsell");
  row = DescribeNotification(old.SerializeAsString());
  ASSERT_TRUE(row);
  EXPECT_EQ(row->kind, "TOUCH_SENT");
  EXPECT_EQ(row->owner, "(no owner)");
  EXPECT_EQ(row->what, "sent c-year-results-2025 via EMAIL (track customer-upsell)");
  EXPECT_FALSE(DescribeNotification("\xff\xff\xff"));
}

}  // namespace
TEST(FitColumnTest, CutsAndPadsByCharactersNotBytes) {
  EXPECT_EQ(FitColumn("abc", 5), "abc  ");
  EXPECT_EQ(FitColumn("abcdef", 3), "abc");
  // 2-byte Cyrillic letters: never cut in the middle of one.
  EXPECT_EQ(FitColumn("ПАО «МегаФон»", 8), "ПАО «Мег");
  EXPECT_EQ(FitColumn("Ростелеком", 12), "Ростелеком  ");
  EXPECT_EQ(FitColumn("", 2), "  ");
  // A sequence cut short at the end of the input is dropped, not emitted.
  EXPECT_EQ(FitColumn(std::string("a\xD0"), 3), "a  ");
}

}  // namespace leadflow::cli

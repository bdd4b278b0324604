#include "nurture/domain/account_development.h"

#include <gtest/gtest.h>

namespace leadflow::nurture {
namespace {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;
namespace rv1 = leadflow::routing::v1;

leadflow::config::v1::Track NextTenderTrack() {
  leadflow::config::v1::Track t;
  t.set_track_id("account-dev-next-tender-spec");
  t.set_audience(cv1::PROSPECT);
  t.mutable_selector()->add_rejection_reasons(cv1::RIGID_SPEC);
  t.mutable_selector()->add_rejection_reasons(cv1::TAILORED_FOR_COMPETITOR);
  return t;
}

rv1::NurtureRequested RejectedBy(const std::string& rep, cv1::ReasonCode reason) {
  rv1::NurtureRequested r;
  r.set_reason(reason);
  r.mutable_decision()->set_rep_id(rep);
  auto* lead = r.mutable_scored()->mutable_lead();
  lead->mutable_meta()->set_lead_id("lead-1");
  lead->mutable_contact()->set_contact_id("c-hmac-1");
  lead->mutable_contact()->set_email("ivan@example.ru");
  return r;
}

TEST(AccountDevelopment, TheOwnerIsToldWhichLeadIsDevelopedAndWhy) {
  leadflow::accounts::v1::AccountState acct;
  acct.set_account_key("acct-rzd");
  acct.set_owner_rep_id("rep-owner");
  const auto n = AccountDevelopmentNotice(NextTenderTrack(), RejectedBy("rep-kam", cv1::RIGID_SPEC),
                                          &acct, "acct-rzd", "enr-1~RIGID_SPEC", 1'700'000'000'123);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->kind(), nv1::ACCOUNT_DEVELOPMENT);
  EXPECT_EQ(n->account_key(), "acct-rzd");
  EXPECT_EQ(n->owner_rep_id(), "rep-owner");
  EXPECT_EQ(n->rejected_by_rep_id(), "rep-kam");
  EXPECT_EQ(n->rejection_reason(), cv1::RIGID_SPEC);
  EXPECT_EQ(n->track_id(), "account-dev-next-tender-spec");
  EXPECT_EQ(n->lead_id(), "lead-1");
  EXPECT_EQ(n->enrolment_id(), "enr-1~RIGID_SPEC");
  EXPECT_EQ(n->contact_id(), "c-hmac-1");
  EXPECT_EQ(n->at().seconds(), 1'700'000'000);
  EXPECT_EQ(n->at().nanos(), 123'000'000);
  // Ids only: the contact's email never reaches the notification.
  EXPECT_EQ(n->SerializeAsString().find("ivan@example.ru"), std::string::npos);
}

TEST(AccountDevelopment, NoNoticeForAnotherReasonOrNone) {
  EXPECT_FALSE(AccountDevelopmentNotice(NextTenderTrack(),
                                        RejectedBy("rep-kam", cv1::BUDGET_TOO_SMALL), nullptr, "a",
                                        "e", 0)
                   .has_value());
  EXPECT_FALSE(AccountDevelopmentNotice(NextTenderTrack(),
                                        RejectedBy("rep-kam", cv1::REASON_UNSPECIFIED), nullptr,
                                        "a", "e", 0)
                   .has_value());
}

TEST(AccountDevelopment, TheOwnerIsTheAccountsThenTheNamedThenTheLeadsThenTheRejectingRep) {
  auto req = RejectedBy("rep-kam", cv1::TAILORED_FOR_COMPETITOR);
  EXPECT_EQ(AccountDevelopmentOwner(req, nullptr), "rep-kam");
  req.mutable_scored()->mutable_lead()->set_account_owner("rep-lead-owner");
  EXPECT_EQ(AccountDevelopmentOwner(req, nullptr), "rep-lead-owner");
  leadflow::accounts::v1::AccountState acct;
  acct.set_named_owner_rep_id("rep-named");
  EXPECT_EQ(AccountDevelopmentOwner(req, &acct), "rep-named");
  acct.set_owner_rep_id("rep-owner");
  EXPECT_EQ(AccountDevelopmentOwner(req, &acct), "rep-owner");
}

}  // namespace
}  // namespace leadflow::nurture

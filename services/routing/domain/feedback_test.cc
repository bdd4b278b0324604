#include "routing/domain/feedback.h"

#include <gtest/gtest.h>

#include "routing/testing/routing_test_util.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

TEST(Feedback, RejectNeedsAReasonCode) {
  rv1::RejectLeadRequest r;
  r.set_lead_id("l");
  r.set_rep_id("rep");
  Status s = ValidateReject(r);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("reason"), std::string::npos);
  r.set_reason(cv1::NOT_A_FIT);
  EXPECT_TRUE(ValidateReject(r).ok());
  r.clear_lead_id();
  EXPECT_NE(ValidateReject(r).message().find("lead_id"), std::string::npos);
}

TEST(Feedback, CloseNeedsAnOutcome) {
  rv1::CloseLeadRequest r;
  r.set_lead_id("l");
  r.set_rep_id("rep");
  EXPECT_NE(ValidateClose(r).message().find("outcome"), std::string::npos);
  r.set_outcome(rv1::WON);
  EXPECT_TRUE(ValidateClose(r).ok());
  r.clear_rep_id();
  EXPECT_NE(ValidateClose(r).message().find("rep_id"), std::string::npos);
}

// Issue 17.3: a LOST carries a coded loss reason; WON never does; the
// competitor and the tender need their free text. Errors name the field.
TEST(Feedback, LossReasonsAreCodedAndOnlyOnALost) {
  rv1::CloseLeadRequest r;
  r.set_lead_id("l");
  r.set_rep_id("rep");
  r.set_outcome(rv1::LOST);
  EXPECT_TRUE(ValidateClose(r).ok());  // required or not: RequireLossReason
  r.set_loss_reason(cv1::LOST_PRICE);
  EXPECT_TRUE(ValidateClose(r).ok());
  r.set_loss_reason(cv1::TAILORED_FOR_COMPETITOR);  // protected codes are loss reasons
  EXPECT_TRUE(ValidateClose(r).ok());
  r.set_loss_reason(cv1::QUIET_HOURS);
  Status s = ValidateClose(r);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.reason(), cv1::INVALID_FIELD);
  EXPECT_EQ(s.message().rfind("loss_reason: QUIET_HOURS is not a loss reason", 0), 0u)
      << s.message();
  r.set_loss_reason(static_cast<cv1::ReasonCode>(999));
  EXPECT_EQ(ValidateClose(r).message().rfind("loss_reason: 999", 0), 0u);
  r.set_loss_reason(cv1::NOT_A_FIT);  // a rejection reason, not a loss reason
  EXPECT_FALSE(ValidateClose(r).ok());

  r.set_loss_reason(cv1::LOST_TO_COMPETITOR);
  s = ValidateClose(r);
  EXPECT_EQ(s.reason(), cv1::MISSING_FIELD);
  EXPECT_EQ(s.message().rfind("loss_detail: LOST_TO_COMPETITOR needs the competitor", 0), 0u)
      << s.message();
  r.set_loss_detail("Acme Integration");
  EXPECT_TRUE(ValidateClose(r).ok());
  r.set_loss_reason(cv1::LOST_TENDER);
  r.clear_loss_detail();
  EXPECT_EQ(ValidateClose(r).message().rfind("loss_detail: LOST_TENDER", 0), 0u);
  r.set_loss_detail(std::string(kMaxLossDetailBytes + 1, 'x'));
  EXPECT_EQ(ValidateClose(r).message().rfind("loss_detail: at most 200 bytes", 0), 0u);
  r.set_loss_detail("lowest bid won");
  EXPECT_TRUE(ValidateClose(r).ok());

  // WON (and DISQUALIFIED) never carry one.
  r.set_outcome(rv1::WON);
  s = ValidateClose(r);
  EXPECT_EQ(s.reason(), cv1::INVALID_FIELD);
  EXPECT_EQ(s.message(), "loss_reason: only a LOST carries one, not WON");
  r.clear_loss_reason();
  EXPECT_EQ(ValidateClose(r).message().rfind("loss_detail: only a LOST", 0), 0u);
  r.clear_loss_detail();
  EXPECT_TRUE(ValidateClose(r).ok());
  r.set_outcome(rv1::OUTCOME_DISQUALIFIED);
  r.set_loss_reason(cv1::LOST_PRICE);
  EXPECT_FALSE(ValidateClose(r).ok());

  // A detail without a code says nothing countable.
  r.set_outcome(rv1::LOST);
  r.clear_loss_reason();
  r.set_loss_detail("Acme");
  EXPECT_EQ(ValidateClose(r).message(), "loss_detail: given without a loss_reason");
}

TEST(Feedback, ALostWithoutACodeIsRefusedWhenRequired) {
  Status s = RequireLossReason(rv1::LOST, cv1::REASON_UNSPECIFIED);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.reason(), cv1::MISSING_FIELD);
  EXPECT_EQ(s.message().rfind("loss_reason: a LOST close needs a loss reason", 0), 0u);
  EXPECT_TRUE(RequireLossReason(rv1::LOST, cv1::LOST_TIMING).ok());
  EXPECT_TRUE(RequireLossReason(rv1::WON, cv1::REASON_UNSPECIFIED).ok());
}

TEST(Feedback, TopicFeedbackCarriesALossReasonOnACloseOnly) {
  rv1::SalesFeedback f;
  f.set_lead_id("l");
  f.set_rep_id("rep");
  f.set_kind(rv1::CLOSE);
  f.set_outcome(rv1::LOST);
  f.set_loss_reason(cv1::LOST_TO_COMPETITOR);
  Status s = ValidateFeedback(f);
  EXPECT_EQ(s.reason(), cv1::MISSING_FIELD);
  EXPECT_EQ(s.message().rfind("loss_detail:", 0), 0u) << s.message();
  f.set_loss_detail("Acme");
  EXPECT_TRUE(ValidateFeedback(f).ok());
  f.set_outcome(rv1::WON);
  EXPECT_EQ(ValidateFeedback(f).message().rfind("loss_reason:", 0), 0u);
  for (auto kind : {rv1::ACCEPT, rv1::REJECT, rv1::STAGE}) {
    rv1::SalesFeedback g = f;
    g.set_kind(kind);
    g.clear_outcome();
    g.set_reject_reason(kind == rv1::REJECT ? cv1::NOT_A_FIT : cv1::REASON_UNSPECIFIED);
    g.set_stage(kind == rv1::STAGE ? "presale" : "");
    s = ValidateFeedback(g);
    EXPECT_EQ(s.reason(), cv1::INVALID_FIELD) << FeedbackKindLabel(kind);
    EXPECT_EQ(s.message(), "loss_reason: only a CLOSE with outcome LOST carries one");
    g.clear_loss_reason();
    EXPECT_EQ(ValidateFeedback(g).message().rfind("loss_detail:", 0), 0u);
    g.clear_loss_detail();
    EXPECT_TRUE(ValidateFeedback(g).ok()) << ValidateFeedback(g).message();
  }
}

TEST(Feedback, CloseDetailKeepsTheCodeNotTheText) {
  EXPECT_EQ(CloseDetail(rv1::WON, cv1::REASON_UNSPECIFIED), "WON");
  EXPECT_EQ(CloseDetail(rv1::LOST, cv1::LOST_TO_COMPETITOR), "LOST:LOST_TO_COMPETITOR");
  rv1::DealOutcome o{};
  cv1::ReasonCode r = cv1::NOT_A_FIT;
  ASSERT_TRUE(ParseCloseDetail("LOST:LOST_PRICE", &o, &r));
  EXPECT_EQ(o, rv1::LOST);
  EXPECT_EQ(r, cv1::LOST_PRICE);
  ASSERT_TRUE(ParseCloseDetail("WON", &o, &r));
  EXPECT_EQ(o, rv1::WON);
  EXPECT_EQ(r, cv1::REASON_UNSPECIFIED);
  EXPECT_FALSE(ParseCloseDetail("", &o, &r));
  EXPECT_FALSE(ParseCloseDetail("MAYBE:LOST_PRICE", &o, &r));
}

TEST(Feedback, AcceptNeedsLeadAndRep) {
  rv1::AcceptLeadRequest r;
  EXPECT_FALSE(ValidateAccept(r).ok());
  r.set_lead_id("l");
  EXPECT_FALSE(ValidateAccept(r).ok());
  r.set_rep_id("rep");
  EXPECT_TRUE(ValidateAccept(r).ok());
}

TEST(Feedback, TopicFeedbackNamesTheMissingField) {
  rv1::SalesFeedback f;
  EXPECT_NE(ValidateFeedback(f).message().find("lead_id"), std::string::npos);
  f.set_lead_id("l");
  EXPECT_NE(ValidateFeedback(f).message().find("rep_id"), std::string::npos);
  f.set_rep_id("rep");
  EXPECT_NE(ValidateFeedback(f).message().find("kind"), std::string::npos);
  f.set_kind(rv1::ACCEPT);
  EXPECT_TRUE(ValidateFeedback(f).ok());
  f.set_kind(rv1::REJECT);
  Status s = ValidateFeedback(f);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.reason(), cv1::MISSING_FIELD);
  EXPECT_NE(s.message().find("reject_reason"), std::string::npos);
  f.set_reject_reason(cv1::RIGID_SPEC);
  EXPECT_TRUE(ValidateFeedback(f).ok());
  f.set_kind(rv1::CLOSE);
  // A close carries no rejection reason (it did not used to be checked).
  EXPECT_EQ(ValidateFeedback(f).message().rfind("reject_reason:", 0), 0u);
  f.clear_reject_reason();
  EXPECT_NE(ValidateFeedback(f).message().find("outcome"), std::string::npos);
  f.set_outcome(rv1::OUTCOME_DISQUALIFIED);
  EXPECT_TRUE(ValidateFeedback(f).ok());
  EXPECT_STREQ(FeedbackKindLabel(rv1::CLOSE), "close");
  EXPECT_STREQ(FeedbackKindLabel(rv1::ACCEPT), "accept");
  EXPECT_STREQ(FeedbackKindLabel(rv1::REJECT), "reject");
}

// Seen (issue 17): RejectLead took any ReasonCode, e.g. QUIET_HOURS or 999.
TEST(Feedback, ReasonsAreCheckedAgainstTheKind) {
  rv1::RejectLeadRequest r;
  r.set_lead_id("l");
  r.set_rep_id("rep");
  for (int reason : {static_cast<int>(cv1::QUIET_HOURS), static_cast<int>(cv1::SCREENED_REGION),
                     static_cast<int>(cv1::MALFORMED_PAYLOAD), 999}) {
    r.set_reason(static_cast<cv1::ReasonCode>(reason));
    Status s = ValidateReject(r);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << reason;
    EXPECT_EQ(s.reason(), cv1::INVALID_FIELD);
    EXPECT_EQ(s.message().rfind("reason: ", 0), 0u) << s.message();
  }
  r.set_reason(static_cast<cv1::ReasonCode>(999));
  EXPECT_NE(ValidateReject(r).message().find("999 is not a sales-rejection reason"),
            std::string::npos);
  for (auto ok : {cv1::BUDGET_TOO_SMALL, cv1::RIGID_SPEC, cv1::TAILORED_FOR_COMPETITOR,
                  cv1::NOT_A_FIT, cv1::DUPLICATE_LEAD, cv1::NO_RESPONSE}) {
    r.set_reason(ok);
    EXPECT_TRUE(ValidateReject(r).ok()) << ok;
  }
  rv1::CloseLeadRequest c;
  c.set_lead_id("l");
  c.set_rep_id("rep");
  c.set_outcome(static_cast<rv1::DealOutcome>(9));
  EXPECT_EQ(ValidateClose(c).message().rfind("outcome: ", 0), 0u);
  rv1::SalesFeedback f;
  f.set_lead_id("l");
  f.set_rep_id("rep");
  f.set_kind(rv1::ACCEPT);
  f.set_outcome(rv1::WON);
  EXPECT_EQ(ValidateFeedback(f).message().rfind("outcome:", 0), 0u);
  f.set_kind(rv1::REJECT);
  f.set_reject_reason(cv1::NOT_A_FIT);
  EXPECT_EQ(ValidateFeedback(f).message().rfind("outcome:", 0), 0u);
  f.clear_outcome();
  f.set_reject_reason(cv1::QUIET_HOURS);
  EXPECT_EQ(ValidateFeedback(f).message().rfind("reject_reason: QUIET_HOURS", 0), 0u);
}

TEST(Feedback, ProtectedReasonsReturnLargeClientsToNurture) {
  auto policy = testutil::MustPolicy(testutil::SampleRules());
  for (auto reason : {cv1::BUDGET_TOO_SMALL, cv1::RIGID_SPEC, cv1::TAILORED_FOR_COMPETITOR}) {
    EXPECT_TRUE(RejectionReturnsToNurture(*policy, cv1::ENTERPRISE, reason));
    EXPECT_TRUE(RejectionReturnsToNurture(*policy, cv1::GOVERNMENT, reason));
    EXPECT_FALSE(RejectionReturnsToNurture(*policy, cv1::MID_MARKET, reason));
  }
  EXPECT_FALSE(RejectionReturnsToNurture(*policy, cv1::ENTERPRISE, cv1::NOT_A_FIT));
  EXPECT_FALSE(RejectionReturnsToNurture(*policy, cv1::ENTERPRISE, cv1::DUPLICATE_LEAD));
}

// Every field of the four feedback requests has its place in the
// SalesFeedback they publish: a field added to a request and not to
// SalesFeedback fails here instead of being dropped.
TEST(Feedback, EveryRequestFieldHasItsPlaceInTheFeedback) {
  std::vector<std::string> unplaced;
  FeedbackOf(rv1::AcceptLeadRequest{}, rv1::ACCEPT, &unplaced);
  EXPECT_TRUE(unplaced.empty()) << unplaced.front();
  FeedbackOf(rv1::RejectLeadRequest{}, rv1::REJECT, &unplaced);
  EXPECT_TRUE(unplaced.empty()) << unplaced.front();
  FeedbackOf(rv1::CloseLeadRequest{}, rv1::CLOSE, &unplaced);
  EXPECT_TRUE(unplaced.empty()) << unplaced.front();
  FeedbackOf(rv1::AdvanceStageRequest{}, rv1::STAGE, &unplaced);
  EXPECT_TRUE(unplaced.empty()) << unplaced.front();
}

TEST(Feedback, RequestsBecomeFeedbackOfTheirKind) {
  rv1::RejectLeadRequest reject;
  reject.set_lead_id("l1");
  reject.set_rep_id("rep");
  reject.set_reason(cv1::NOT_A_FIT);
  reject.set_comment("wrong country");
  rv1::SalesFeedback f = FeedbackOf(reject, rv1::REJECT);
  EXPECT_EQ(f.lead_id(), "l1");
  EXPECT_EQ(f.rep_id(), "rep");
  EXPECT_EQ(f.kind(), rv1::REJECT);
  EXPECT_EQ(f.reject_reason(), cv1::NOT_A_FIT);
  EXPECT_EQ(f.comment(), "wrong country");

  rv1::CloseLeadRequest close;
  close.set_outcome(rv1::LOST);
  close.set_loss_reason(cv1::LOST_TO_COMPETITOR);
  close.set_loss_detail("Acme");
  f = FeedbackOf(close, rv1::CLOSE);
  EXPECT_EQ(f.kind(), rv1::CLOSE);
  EXPECT_EQ(f.outcome(), rv1::LOST);
  EXPECT_EQ(f.loss_reason(), cv1::LOST_TO_COMPETITOR);
  EXPECT_EQ(f.loss_detail(), "Acme");

  rv1::AdvanceStageRequest stage;
  stage.set_stage("proposal");
  stage.set_deal_value_rub(1200000);
  stage.set_back_reason("scope cut");
  stage.set_expected_version(77);
  f = FeedbackOf(stage, rv1::STAGE);
  EXPECT_EQ(f.kind(), rv1::STAGE);
  EXPECT_EQ(f.stage(), "proposal");
  EXPECT_EQ(f.deal_value_rub(), 1200000);
  EXPECT_EQ(f.back_reason(), "scope cut");
  EXPECT_EQ(f.expected_version(), 77);
  EXPECT_FALSE(f.has_at());
}

}  // namespace
}  // namespace leadflow::routing

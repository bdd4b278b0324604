#include "routing/domain/sales_state.h"

#include <gtest/gtest.h>

#include "routing/domain/feedback.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;
using Kind = FeedbackStep::Kind;

rv1::Decision Assigned(const std::string& rep) {
  rv1::Decision d;
  d.set_outcome(rv1::ASSIGNED);
  d.set_team("key-accounts");
  d.set_rep_id(rep);
  d.mutable_decided_at()->set_seconds(1000);
  return d;
}

rv1::SalesFeedback Fb(rv1::FeedbackKind kind, const std::string& rep = "r1") {
  rv1::SalesFeedback f;
  f.set_lead_id("L1");
  f.set_rep_id(rep);
  f.set_kind(kind);
  if (kind == rv1::REJECT) f.set_reject_reason(cv1::NOT_A_FIT);
  if (kind == rv1::CLOSE) f.set_outcome(rv1::WON);
  return f;
}

TEST(SalesState, FollowsTheRecordAndTheFeedbackTags) {
  const auto d = Assigned("r1");
  EXPECT_EQ(SalesStateOf(d, {}, "r1").state, rv1::SALES_ASSIGNED);
  EXPECT_EQ(SalesStateOf(d, {}, "r2").state, rv1::SALES_STATE_UNSPECIFIED);
  FeedbackTags accepted{"accept|r1", "r1", "", "", 5, 5};
  EXPECT_EQ(SalesStateOf(d, accepted, "r1").state, rv1::SALES_ACCEPTED);
  FeedbackTags closed{"close|r1", "r1", "", "WON", 6, 5};
  EXPECT_EQ(Describe(SalesStateOf(d, closed, "r1")), "CLOSED (WON)");
  // After a protected rejection the record is NURTURE; still REJECTED for its rep.
  auto nurture = d;
  nurture.set_outcome(rv1::NURTURE);
  FeedbackTags rejected{"reject|r1", "", "BUDGET_TOO_SMALL", "", 6, 0};
  EXPECT_EQ(Describe(SalesStateOf(nurture, rejected, "r1")), "REJECTED (BUDGET_TOO_SMALL)");
  // Another rep's old tags say nothing about the new holder.
  EXPECT_EQ(SalesStateOf(Assigned("r2"), closed, "r2").state, rv1::SALES_ASSIGNED);
}

TEST(SalesState, TransitionsOnlyAlongAllowedEdges) {
  const SalesStatus assigned{rv1::SALES_ASSIGNED, ""};
  for (auto k : {rv1::ACCEPT, rv1::REJECT, rv1::CLOSE}) {
    auto s = NextSalesState(assigned, "", Fb(k));
    EXPECT_EQ(s.kind, Kind::kApply) << k;
    EXPECT_EQ(s.to, StateAfter(k));
  }
  const SalesStatus accepted{rv1::SALES_ACCEPTED, ""};
  EXPECT_EQ(NextSalesState(accepted, "r1", Fb(rv1::ACCEPT)).kind, Kind::kRetry);
  EXPECT_EQ(NextSalesState(accepted, "r1", Fb(rv1::CLOSE)).kind, Kind::kApply);
  auto reject = NextSalesState(accepted, "r1", Fb(rv1::REJECT));
  EXPECT_EQ(reject.kind, Kind::kRefused);
  EXPECT_EQ(reject.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reject.error.message().find("is ACCEPTED"), std::string::npos);
  EXPECT_EQ(NextSalesState({}, "", Fb(rv1::ACCEPT)).kind, Kind::kNotOpen);
  EXPECT_EQ(NextSalesState({rv1::SALES_QUEUED, ""}, "", Fb(rv1::CLOSE)).kind, Kind::kNotOpen);
}

TEST(SalesState, ASecondDifferentAnswerIsRefusedAndTheSameOneIsARetry) {
  const SalesStatus rejected{rv1::SALES_REJECTED, "NOT_A_FIT"};
  EXPECT_EQ(NextSalesState(rejected, "", Fb(rv1::REJECT)).kind, Kind::kRetry);
  auto budget = Fb(rv1::REJECT);
  budget.set_reject_reason(cv1::BUDGET_TOO_SMALL);
  auto s = NextSalesState(rejected, "", budget);
  EXPECT_EQ(s.kind, Kind::kRefused);
  EXPECT_EQ(s.error.message(),
            "lead L1 is REJECTED (NOT_A_FIT) with rep r1: a second, different answer is refused");
  EXPECT_EQ(NextSalesState(rejected, "", Fb(rv1::ACCEPT)).kind, Kind::kRefused);
  EXPECT_EQ(NextSalesState(rejected, "", Fb(rv1::CLOSE)).kind, Kind::kRefused);

  const SalesStatus won{rv1::SALES_CLOSED, "WON"};
  EXPECT_EQ(NextSalesState(won, "r1", Fb(rv1::CLOSE)).kind, Kind::kRetry);
  auto lost = Fb(rv1::CLOSE);
  lost.set_outcome(rv1::LOST);
  EXPECT_NE(NextSalesState(won, "r1", lost).error.message().find("CLOSED (WON)"),
            std::string::npos);
  EXPECT_EQ(NextSalesState(won, "r1", Fb(rv1::REJECT)).kind, Kind::kRefused);
  // The accept before the close, redelivered: a retry; an accept that never was: refused.
  EXPECT_EQ(NextSalesState(won, "r1", Fb(rv1::ACCEPT)).kind, Kind::kRetry);
  EXPECT_EQ(NextSalesState(won, "", Fb(rv1::ACCEPT)).kind, Kind::kRefused);
}

// Issue 17.3: a retry with another loss reason is a different answer.
TEST(SalesState, AnotherLossReasonIsADifferentAnswer) {
  auto lost = Fb(rv1::CLOSE);
  lost.set_outcome(rv1::LOST);
  lost.set_loss_reason(cv1::LOST_TO_COMPETITOR);
  lost.set_loss_detail("Acme");
  const SalesStatus closed{rv1::SALES_CLOSED, CloseDetail(rv1::LOST, cv1::LOST_TO_COMPETITOR)};
  EXPECT_EQ(NextSalesState(closed, "r1", lost).kind, Kind::kRetry);
  // The free text is not the answer: a retry with it spelled otherwise is the same close.
  lost.set_loss_detail("ACME Ltd");
  EXPECT_EQ(NextSalesState(closed, "r1", lost).kind, Kind::kRetry);
  lost.set_loss_reason(cv1::LOST_PRICE);
  auto s = NextSalesState(closed, "r1", lost);
  EXPECT_EQ(s.kind, Kind::kRefused);
  EXPECT_EQ(s.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.error.message(),
            "lead L1 is CLOSED (LOST:LOST_TO_COMPETITOR) with rep r1: a second, different "
            "answer is refused");
  lost.clear_loss_reason();  // a LOST without a code after one with: different too
  EXPECT_EQ(NextSalesState(closed, "r1", lost).kind, Kind::kRefused);
}

// State rebuilt from the topics may lack the detail: never guessed equal.
TEST(SalesState, AnUnknownDetailIsNeverTakenForTheSameAnswer) {
  const SalesStatus closed{rv1::SALES_CLOSED, ""};
  auto s = NextSalesState(closed, "", Fb(rv1::CLOSE));
  EXPECT_EQ(s.kind, Kind::kRefused);
  EXPECT_NE(s.error.message().find("not known"), std::string::npos) << s.error.message();
}

TEST(SalesState, ChangesCarryTheLeadAndAVersionThatTiesThemTogether) {
  rv1::LeadAssigned rec;
  rec.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id("L1");
  auto* d = rec.mutable_decision();
  *d = Assigned("r1");
  d->set_outcome(rv1::QUEUED);
  d->clear_rep_id();
  auto queued = LeadChangeOf(rec, {}, "");
  EXPECT_EQ(queued.state(), rv1::SALES_QUEUED);
  EXPECT_EQ(queued.lead_id(), "L1");
  EXPECT_EQ(queued.version(), 1000000);
  *d = Assigned("r1");
  d->mutable_decided_at()->set_seconds(2000);
  auto assigned = LeadChangeOf(rec, {}, "");
  EXPECT_EQ(assigned.state(), rv1::SALES_ASSIGNED);
  EXPECT_GT(assigned.version(), queued.version());
  auto closed = LeadChangeOf(rec, {"close|r1", "", "", "LOST", 2000500, 0}, "r1");
  EXPECT_EQ(closed.state(), rv1::SALES_CLOSED);
  EXPECT_EQ(closed.deal_outcome(), rv1::LOST);
  EXPECT_EQ(closed.feedback(), rv1::FEEDBACK_CLOSED);
  EXPECT_EQ(closed.version(), 2000500);
  EXPECT_EQ(closed.loss_reason(), cv1::REASON_UNSPECIFIED);
  auto lost = LeadChangeOf(rec, {"close|r1", "", "", "LOST:LOST_TENDER", 2000500, 0}, "r1");
  EXPECT_EQ(lost.deal_outcome(), rv1::LOST);
  EXPECT_EQ(lost.loss_reason(), cv1::LOST_TENDER);
  // Taken from r1 by an SLA re-assignment to r2.
  d->set_rep_id("r2");
  d->set_outcome(rv1::REASSIGNED);
  rec.add_previous_reps("r1");
  EXPECT_EQ(LeadChangeOf(rec, {}, "r1").state(), rv1::SALES_REASSIGNED_AWAY);
  EXPECT_EQ(LeadChangeOf(rec, {}, "r2").state(), rv1::SALES_ASSIGNED);
  EXPECT_EQ(LeadChangeOf(rec, {}, "r3").state(), rv1::SALES_STATE_UNSPECIFIED);
}

TEST(SalesState, VersionsOnlyGrow) {
  EXPECT_EQ(NextVersion(5000, 0, 1000), 5000);
  EXPECT_EQ(NextVersion(5000, 5000, 1000), 5001);  // two changes in one millisecond
  EXPECT_EQ(NextVersion(500, 0, 1000), 1001);      // a clock behind the decision
}

}  // namespace
}  // namespace leadflow::routing

// Sales feedback as a state machine (docs/architecture.md, "A lead's sales
// state"), against a real redis-server: a second, different answer to the
// same step is refused naming the current state, an identical retry stays
// idempotent, and reason codes are checked against the kind.
#include <gtest/gtest.h>

#include "routing/domain/sales_state.h"
#include "routing/testing/routing_app_fixture.h"

namespace leadflow::routing {
namespace {

class FeedbackStateTest : public RoutingAppTest {
 protected:
  std::string Assign(const std::string& id) {
    auto out = Handle(Lead(id, cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
    rv1::LeadAssigned a;
    EXPECT_EQ(out.size(), 1u);
    if (out.empty() || !a.ParseFromString(out[0].payload)) return "";
    EXPECT_EQ(a.decision().outcome(), rv1::ASSIGNED);
    return a.decision().rep_id();
  }
  grpc::Status Reject(const std::string& id, const std::string& rep, int reason,
                      rv1::FeedbackAck* ack) {
    rv1::RejectLeadRequest r;
    r.set_lead_id(id);
    r.set_rep_id(rep);
    r.set_reason(static_cast<cv1::ReasonCode>(reason));
    return grpc_->RejectLead(nullptr, &r, ack);
  }
  grpc::Status Close(const std::string& id, const std::string& rep, rv1::DealOutcome o,
                     rv1::FeedbackAck* ack) {
    rv1::CloseLeadRequest r;
    r.set_lead_id(id);
    r.set_rep_id(rep);
    r.set_outcome(o);
    return grpc_->CloseLead(nullptr, &r, ack);
  }
  grpc::Status Accept(const std::string& id, const std::string& rep, rv1::FeedbackAck* ack) {
    rv1::AcceptLeadRequest r;
    r.set_lead_id(id);
    r.set_rep_id(rep);
    return grpc_->AcceptLead(nullptr, &r, ack);
  }
  // The SalesFeedback records routing published for `lead_id`.
  std::vector<rv1::SalesFeedback> Published(const std::string& lead_id) {
    std::vector<rv1::SalesFeedback> out;
    for (const auto& m : producer_.SentTo(topics::kSalesFeedback)) {
      rv1::SalesFeedback f;
      EXPECT_TRUE(f.ParseFromString(m.payload));
      if (f.lead_id() == lead_id) out.push_back(f);
    }
    return out;
  }
};

// Seen: rejecting NOT_A_FIT and then BUDGET_TOO_SMALL answered OK and sent a
// discarded lead back to nurture; sales.feedback got both records.
TEST_F(FeedbackStateTest, ASecondDifferentRejectionIsRefusedNamingTheState) {
  const std::string rep = Assign("S1");
  rv1::FeedbackAck ack;
  ASSERT_TRUE(Reject("S1", rep, cv1::NOT_A_FIT, &ack).ok());
  const grpc::Status again = Reject("S1", rep, cv1::BUDGET_TOO_SMALL, &ack);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(again.error_message().find("REJECTED (NOT_A_FIT)"), std::string::npos)
      << again.error_message();
  EXPECT_TRUE(producer_.SentTo(topics::kLeadsNurture).empty()) << "a discarded lead came back";
  ASSERT_EQ(Published("S1").size(), 1u);
  EXPECT_EQ(Published("S1")[0].reject_reason(), cv1::NOT_A_FIT);
}

// Seen: closing WON and then LOST answered OK "closed: LOST".
TEST_F(FeedbackStateTest, ClosingWonThenLostIsRefusedAndAnIdenticalRetryIsNot) {
  const std::string rep = Assign("S2");
  rv1::FeedbackAck first, retry, ack;
  ASSERT_TRUE(Accept("S2", rep, &ack).ok());
  ASSERT_TRUE(Close("S2", rep, rv1::WON, &first).ok());
  const grpc::Status lost = Close("S2", rep, rv1::LOST, &ack);
  EXPECT_EQ(lost.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(lost.error_message().find("CLOSED (WON)"), std::string::npos) << lost.error_message();
  // Nor can a closed lead be rejected.
  EXPECT_EQ(Reject("S2", rep, cv1::NOT_A_FIT, &ack).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // The same close again: the same answer.
  ASSERT_TRUE(Close("S2", rep, rv1::WON, &retry).ok());
  EXPECT_EQ(retry.status(), first.status());
  for (const auto& f : Published("S2")) EXPECT_NE(f.outcome(), rv1::LOST);
  for (const auto& f : Published("S2")) EXPECT_NE(f.kind(), rv1::REJECT);
}

// The same on a team's feedback topic: the contradicting record is refused
// (dead-lettered by the consumer loop) and nothing is republished.
TEST_F(FeedbackStateTest, ATopicRecordContradictingTheStateIsRefused) {
  const std::string rep = Assign("K1");
  rv1::SalesFeedback fb;
  fb.set_lead_id("K1");
  fb.set_rep_id(rep);
  fb.set_kind(rv1::CLOSE);
  fb.set_outcome(rv1::WON);
  auto on_topic = [&](const rv1::SalesFeedback& f, std::vector<kafka::OutgoingMessage>* out) {
    kafka::ConsumedMessage m;
    m.topic = std::string(topics::kSalesFeedbackTeamPrefix) + "key-accounts";
    m.key = f.lead_id();
    m.payload = f.SerializeAsString();
    return feedback_->Handle(m, *out);
  };
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(on_topic(fb, &out).ok());
  ASSERT_EQ(out.size(), 1u);  // republished on sales.feedback
  out.clear();
  ASSERT_TRUE(on_topic(fb, &out).ok()) << "a redelivery is a retry";
  out.clear();
  fb.set_outcome(rv1::LOST);
  Status s = on_topic(fb, &out);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("CLOSED (WON)"), std::string::npos) << s.message();
  EXPECT_TRUE(out.empty());
}

// Once accepted, the handoff's answer is given: a rejection is refused (the
// rep closes the lead instead).
TEST_F(FeedbackStateTest, AnAcceptedLeadCannotBeRejected) {
  const std::string rep = Assign("S3");
  rv1::FeedbackAck ack;
  ASSERT_TRUE(Accept("S3", rep, &ack).ok());
  const grpc::Status r = Reject("S3", rep, cv1::NOT_A_FIT, &ack);
  EXPECT_EQ(r.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(r.error_message().find("ACCEPTED"), std::string::npos) << r.error_message();
  ASSERT_TRUE(Accept("S3", rep, &ack).ok());  // a retried accept stays OK
  EXPECT_EQ(ack.status(), "accepted");
}

// Seen: RejectLead took any ReasonCode: QUIET_HOURS answered
// "rejected: QUIET_HOURS" and 999 answered "rejected: ".
TEST_F(FeedbackStateTest, ARejectionTakesOnlySalesRejectionReasons) {
  const std::string rep = Assign("S4");
  rv1::FeedbackAck ack;
  for (int reason :
       {static_cast<int>(cv1::QUIET_HOURS), 999, static_cast<int>(cv1::NOT_PERMITTED)}) {
    const grpc::Status s = Reject("S4", rep, reason, &ack);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << reason;
    EXPECT_EQ(s.error_message().rfind("reason:", 0), 0u) << s.error_message();
  }
  EXPECT_TRUE(Published("S4").empty());
  // A close takes a known outcome only.
  EXPECT_EQ(Close("S4", rep, static_cast<rv1::DealOutcome>(77), &ack).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // The topic path checks the same: a CLOSE carrying a reject reason.
  rv1::SalesFeedback fb;
  fb.set_lead_id("S4");
  fb.set_rep_id(rep);
  fb.set_kind(rv1::CLOSE);
  fb.set_outcome(rv1::WON);
  fb.set_reject_reason(cv1::NOT_A_FIT);
  auto r = feedback_->Apply(fb);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("reject_reason:", 0), 0u) << r.status().message();
  fb.clear_reject_reason();
  fb.set_kind(rv1::REJECT);
  fb.clear_outcome();
  fb.set_reject_reason(cv1::QUIET_HOURS);
  r = feedback_->Apply(fb);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("reject_reason:", 0), 0u) << r.status().message();
}

// Seen: FeedbackAck.status was free text to parse, and a rejection without a
// protected reason left the lead on no output but sales.feedback.
TEST_F(FeedbackStateTest, AcksAreTypedAndADiscardedLeadLandsOnLeadsDiscarded) {
  const std::string rep = Assign("T1");
  rv1::FeedbackAck first, retry;
  ASSERT_TRUE(Reject("T1", rep, cv1::NOT_A_FIT, &first).ok());
  EXPECT_EQ(first.outcome(), rv1::FEEDBACK_DISCARDED);
  EXPECT_EQ(first.state(), rv1::SALES_REJECTED);
  EXPECT_FALSE(first.already_applied());
  EXPECT_GT(first.version(), 0);
  auto discarded = producer_.SentTo(topics::kLeadsDiscarded);
  ASSERT_EQ(discarded.size(), 1u);
  EXPECT_EQ(discarded[0].key, "T1");
  rv1::LeadDiscarded d;
  ASSERT_TRUE(d.ParseFromString(discarded[0].payload));
  EXPECT_EQ(d.lead_id(), "T1");
  EXPECT_EQ(d.rep_id(), rep);
  EXPECT_EQ(d.reason(), cv1::NOT_A_FIT);
  EXPECT_EQ(d.team(), "key-accounts");
  EXPECT_EQ(d.decision().outcome(), rv1::ASSIGNED);
  EXPECT_EQ(d.version(), first.version());
  // A retried RPC: the same ack, and the same event again (at least once).
  ASSERT_TRUE(Reject("T1", rep, cv1::NOT_A_FIT, &retry).ok());
  EXPECT_TRUE(retry.already_applied());
  EXPECT_EQ(retry.outcome(), first.outcome());
  EXPECT_EQ(retry.status(), first.status());
  EXPECT_EQ(retry.version(), first.version());
  discarded = producer_.SentTo(topics::kLeadsDiscarded);
  ASSERT_EQ(discarded.size(), 2u);
  EXPECT_EQ(discarded[1].payload, discarded[0].payload);

  // A protected reason on a large client: back to nurture, typed as such.
  const std::string rep2 = Assign("T2");
  rv1::FeedbackAck ack;
  ASSERT_TRUE(Reject("T2", rep2, cv1::RIGID_SPEC, &ack).ok());
  EXPECT_EQ(ack.outcome(), rv1::FEEDBACK_RETURNED_TO_NURTURE);
  ASSERT_TRUE(Reject("T2", rep2, cv1::RIGID_SPEC, &retry).ok());
  EXPECT_EQ(retry.outcome(), rv1::FEEDBACK_RETURNED_TO_NURTURE);
  EXPECT_EQ(producer_.SentTo(topics::kLeadsDiscarded).size(), 2u);
  const auto nurture = producer_.SentTo(topics::kLeadsNurture);
  ASSERT_EQ(nurture.size(), 2u);
  EXPECT_EQ(nurture[1].payload, nurture[0].payload);

  const std::string rep3 = Assign("T3");
  ASSERT_TRUE(Accept("T3", rep3, &ack).ok());
  EXPECT_EQ(ack.outcome(), rv1::FEEDBACK_ACCEPTED);
  EXPECT_EQ(ack.state(), rv1::SALES_ACCEPTED);
  const int64_t accepted_version = ack.version();
  ASSERT_TRUE(Close("T3", rep3, rv1::LOST, &ack).ok());
  EXPECT_EQ(ack.outcome(), rv1::FEEDBACK_CLOSED);
  EXPECT_EQ(ack.state(), rv1::SALES_CLOSED);
  EXPECT_GT(ack.version(), accepted_version);
  // The accept, redelivered after the close: its own answer again, and not
  // put on sales.feedback after the close (a rebuild would read it as open).
  const size_t published = Published("T3").size();
  ASSERT_TRUE(Accept("T3", rep3, &retry).ok());
  EXPECT_TRUE(retry.already_applied());
  EXPECT_EQ(retry.state(), rv1::SALES_ACCEPTED);
  EXPECT_EQ(retry.version(), accepted_version);
  EXPECT_EQ(Published("T3").size(), published);
  EXPECT_EQ(Published("T3").back().kind(), rv1::CLOSE);
}

// Seen: no call to get one lead or to list the open ones.
TEST_F(FeedbackStateTest, GetLeadAndListOpenLeadsFollowTheState) {
  const std::string rep = Assign("G1");
  rv1::GetLeadRequest get;
  get.set_lead_id("G1");
  rv1::LeadView view;
  ASSERT_TRUE(grpc_->GetLead(nullptr, &get, &view).ok());
  EXPECT_EQ(view.state(), rv1::SALES_ASSIGNED);
  EXPECT_EQ(view.rep_id(), rep);
  EXPECT_EQ(view.team(), "key-accounts");
  EXPECT_EQ(view.record().scored().lead().meta().lead_id(), "G1");

  rv1::ListOpenLeadsRequest list;
  list.set_rep_id(rep);
  rv1::ListOpenLeadsResponse open;
  ASSERT_TRUE(grpc_->ListOpenLeads(nullptr, &list, &open).ok());
  ASSERT_EQ(open.leads_size(), 1);
  EXPECT_EQ(open.leads(0).lead_id(), "G1");

  rv1::FeedbackAck ack;
  ASSERT_TRUE(Accept("G1", rep, &ack).ok());
  ASSERT_TRUE(grpc_->GetLead(nullptr, &get, &view).ok());
  EXPECT_EQ(view.state(), rv1::SALES_ACCEPTED);
  EXPECT_EQ(view.version(), ack.version());
  open.Clear();
  ASSERT_TRUE(grpc_->ListOpenLeads(nullptr, &list, &open).ok());
  ASSERT_EQ(open.leads_size(), 1);
  EXPECT_EQ(open.leads(0).state(), rv1::SALES_ACCEPTED);

  ASSERT_TRUE(Close("G1", rep, rv1::WON, &ack).ok());
  ASSERT_TRUE(grpc_->GetLead(nullptr, &get, &view).ok());
  EXPECT_EQ(view.state(), rv1::SALES_CLOSED);
  EXPECT_EQ(view.deal_outcome(), rv1::WON);
  EXPECT_FALSE(view.record().scored().lead().has_contact());
  open.Clear();
  ASSERT_TRUE(grpc_->ListOpenLeads(nullptr, &list, &open).ok());
  EXPECT_EQ(open.leads_size(), 0);

  // An unknown lead: NOT_FOUND (the text is the one other teams' leads get).
  get.set_lead_id("G-unknown");
  const grpc::Status unknown = grpc_->GetLead(nullptr, &get, &view);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown.error_message(), "lead G-unknown is not one of the caller's teams' leads");
  list.clear_rep_id();
  EXPECT_EQ(grpc_->ListOpenLeads(nullptr, &list, &open).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// Seen: the stream never said a lead was re-assigned. The rep it was taken
// from now hears of it: the scheduler's re-assignment reaches its
// subscription, and reads as SALES_REASSIGNED_AWAY for it.
TEST_F(FeedbackStateTest, AnSlaReassignmentReachesTheRepItWasTakenFrom) {
  const std::string rep1 = Assign("R1");
  auto sub = broadcaster_.Subscribe(rep1, "");
  clock_.Advance(std::chrono::minutes(61));  // past the SLA (60 business minutes)
  ASSERT_TRUE(scheduler_->Tick().ok());
  rv1::LeadAssigned event;
  ASSERT_EQ(sub->Pop(std::chrono::milliseconds(100), &event),
            AssignmentBroadcaster::Subscription::Next::kItem);
  EXPECT_EQ(event.decision().outcome(), rv1::REASSIGNED);
  EXPECT_NE(event.decision().rep_id(), rep1);
  const rv1::LeadChange c = LeadChangeOf(event, {}, rep1);
  EXPECT_EQ(c.state(), rv1::SALES_REASSIGNED_AWAY);
  EXPECT_EQ(c.lead_id(), "R1");
  EXPECT_EQ(c.rep_id(), rep1);
  broadcaster_.Unsubscribe(sub);
}

}  // namespace
}  // namespace leadflow::routing

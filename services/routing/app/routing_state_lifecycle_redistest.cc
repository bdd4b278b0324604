// What routing keeps of a lead, and for how long (decision_record.h,
// docs/state.md): the lead's body only while routing still acts on the lead,
// a slim record with a TTL afterwards; and that slimming changes no output.
#include <gtest/gtest.h>

#include "common/privacy/erasure.h"
#include "routing/app/decision_record.h"
#include "routing/app/routing_keys.h"
#include "routing/app/routing_privacy.h"
#include "routing/testing/routing_app_fixture.h"

namespace leadflow::routing {
namespace {

constexpr char kEmail[] = "irina.petrova@mail.ru";

class RoutingStateLifecycleTest : public RoutingAppTest {
 protected:
  // A lead with a contact, as intake publishes it.
  static leadflow::scoring::v1::LeadScored WithContact(leadflow::scoring::v1::LeadScored s) {
    auto* c = s.mutable_lead()->mutable_contact();
    c->set_contact_id("c-00000000000000a1");
    c->set_email(kEmail);
    c->set_full_name("Irina Petrova");
    s.mutable_lead()->mutable_company()->set_name("Example LLC");
    s.mutable_scored_at()->set_seconds(1763700001);
    return s;
  }

  int64_t Ttl(const std::string& key) {
    return std::stoll(server_->Command({"TTL", key}).value_or("-3"));
  }

  rv1::LeadAssigned Record(const std::string& lead_id) {
    rv1::LeadAssigned r;
    EXPECT_TRUE(r.ParseFromString(Get(DecisionKey(lead_id)))) << lead_id;
    return r;
  }

  static std::string Fb(const std::string& lead_id) { return "lf:{routing}:fb:" + lead_id; }

  std::string AssignedRep(const std::vector<kafka::OutgoingMessage>& out) {
    rv1::LeadAssigned a;
    EXPECT_EQ(out.size(), 1u);
    if (out.empty() || !a.ParseFromString(out[0].payload)) return "";
    return a.decision().rep_id();
  }
};

constexpr int64_t kWindow = kRedeliveryWindow.count();
constexpr int64_t kOwned = kOwnedRecordTtl.count();

TEST_F(RoutingStateLifecycleTest, LeadsHandedOnKeepOnlyIdsAndTheDecisionForTheRedeliveryWindow) {
  auto customer = WithContact(Lead("C1", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  customer.mutable_lead()->mutable_meta()->set_relationship(cv1::CUSTOMER);
  customer.mutable_lead()->set_account_owner("owner-1");
  auto warm = WithContact(Lead("N1", cv1::SMB, cv1::DEAL_BAND_SMALL));
  warm.set_lifecycle_stage(cv1::LEAD);
  auto disq = WithContact(Lead("D1", cv1::SMB, cv1::DEAL_BAND_SMALL));
  disq.set_disqualified(true);
  disq.add_disqualification_reasons(cv1::SCREENED_INDUSTRY);

  for (const auto& [lead, outcome] :
       std::vector<std::pair<leadflow::scoring::v1::LeadScored, rv1::RoutingOutcome>>{
           {customer, rv1::CUSTOMER_INBOUND}, {warm, rv1::NURTURE}, {disq, rv1::DISQUALIFIED}}) {
    const std::string id = lead.lead().meta().lead_id();
    const kafka::ConsumedMessage message = Msg(lead);
    std::vector<kafka::OutgoingMessage> first, again;
    ASSERT_TRUE(engine_->Handle(message, first).ok()) << id;
    // A nurtured prospect also joins its submission cohort (leads.cohorts);
    // customers and disqualified leads count in none (cohort.h).
    ASSERT_EQ(first.size(), outcome == rv1::NURTURE ? 2u : 1u) << id;
    if (outcome == rv1::NURTURE) {
      EXPECT_EQ(first[1].topic, topics::kLeadsCohorts);
    }
    const std::string stored = Get(DecisionKey(id));
    EXPECT_EQ(stored.find(kEmail), std::string::npos) << id << ": the record keeps the email";
    EXPECT_EQ(stored.find("Petrova"), std::string::npos) << id;
    const rv1::LeadAssigned rec = Record(id);
    EXPECT_TRUE(IsSlim(rec)) << id;
    EXPECT_EQ(rec.decision().outcome(), outcome) << id;
    EXPECT_EQ(rec.scored().lead().meta().lead_id(), id);
    EXPECT_EQ(rec.scored().revision(), 1);
    EXPECT_GT(Ttl(DecisionKey(id)), kWindow - 60) << id;
    EXPECT_LE(Ttl(DecisionKey(id)), kWindow) << id;
    EXPECT_LT(stored.size(), 200u) << id << ": " << stored.size() << " bytes";

    // Redelivered: the very same events, built from the message's lead.
    ASSERT_TRUE(engine_->Handle(message, again).ok()) << id;
    ASSERT_EQ(again.size(), first.size()) << id;
    EXPECT_EQ(again[0].topic, first[0].topic) << id;
    EXPECT_EQ(again[0].key, first[0].key) << id;
    EXPECT_EQ(again[0].payload, first[0].payload) << id;
  }

  // A rescore of the nurtured lead is routed again, and the lead it now
  // assigns is kept whole, without a TTL, while it is open.
  warm.set_lifecycle_stage(cv1::MQL);
  warm.set_revision(2);
  warm.set_segment(cv1::ENTERPRISE);
  warm.set_deal_band(cv1::DEAL_BAND_LARGE);
  const auto routed = Handle(warm);
  ASSERT_EQ(routed.size(), 1u);
  EXPECT_EQ(routed[0].topic, topics::kLeadsAssigned);
  EXPECT_FALSE(IsSlim(Record("N1")));
  EXPECT_NE(Get(DecisionKey("N1")).find(kEmail), std::string::npos);
  EXPECT_EQ(Ttl(DecisionKey("N1")), -1);
}

TEST_F(RoutingStateLifecycleTest, AnOpenLeadKeepsItsBodyUntilSalesClosesItThenOnlyWhoOwnedIt) {
  auto lead = WithContact(Lead("L1", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  const std::string rep = AssignedRep(Handle(lead));
  ASSERT_FALSE(rep.empty());
  EXPECT_FALSE(IsSlim(Record("L1")));
  EXPECT_EQ(Ttl(DecisionKey("L1")), -1) << "an open lead's record never expires";

  rv1::CloseLeadRequest close;
  close.set_lead_id("L1");
  close.set_rep_id(rep);
  close.set_outcome(rv1::WON);
  rv1::FeedbackAck ack;
  ASSERT_TRUE(grpc_->CloseLead(nullptr, &close, &ack).ok());
  const rv1::LeadAssigned closed = Record("L1");
  EXPECT_TRUE(IsSlim(closed));
  EXPECT_EQ(closed.decision().rep_id(), rep);
  EXPECT_EQ(Get(DecisionKey("L1")).find(kEmail), std::string::npos);
  EXPECT_GT(Ttl(DecisionKey("L1")), kOwned - 60);
  EXPECT_GT(Ttl(Fb("L1")), kOwned - 60);
  ASSERT_TRUE(grpc_->CloseLead(nullptr, &close, &ack).ok());  // retried: nothing changes

  // A redelivery or a rescore finds who owned it: acknowledged, never routed
  // again, and the record is kept for another sales cycle.
  EXPECT_TRUE(Handle(lead).empty());
  server_->Command({"EXPIRE", DecisionKey("L1"), "100"});
  server_->Command({"EXPIRE", Fb("L1"), "100"});
  lead.set_revision(2);
  EXPECT_TRUE(Handle(lead).empty());
  EXPECT_GT(Ttl(DecisionKey("L1")), kOwned - 60);
  EXPECT_GT(Ttl(Fb("L1")), kOwned - 60);
  EXPECT_EQ(Get("lf:{routing}:open:" + rep), "0");

  // A plain rejection ends the same way.
  const std::string rep2 =
      AssignedRep(Handle(WithContact(Lead("L2", cv1::MID_MARKET, cv1::DEAL_BAND_SMALL))));
  ASSERT_FALSE(rep2.empty());
  rv1::RejectLeadRequest reject;
  reject.set_lead_id("L2");
  reject.set_rep_id(rep2);
  reject.set_reason(cv1::NOT_A_FIT);
  ASSERT_TRUE(grpc_->RejectLead(nullptr, &reject, &ack).ok()) << ack.status();
  EXPECT_TRUE(IsSlim(Record("L2")));
  EXPECT_GT(Ttl(DecisionKey("L2")), kOwned - 60);
}

TEST_F(RoutingStateLifecycleTest, AProtectedRejectionKeepsTheLeadForTheRedeliveryWindowOnly) {
  const std::string rep =
      AssignedRep(Handle(WithContact(Lead("P1", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE))));
  ASSERT_FALSE(rep.empty());
  rv1::SalesFeedback fb;
  fb.set_lead_id("P1");
  fb.set_rep_id(rep);
  fb.set_kind(rv1::REJECT);
  fb.set_reject_reason(cv1::BUDGET_TOO_SMALL);
  auto first = feedback_->Apply(fb);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_TRUE(first->to_nurture);
  ASSERT_EQ(first->outputs.size(), 1u);
  const rv1::LeadAssigned rec = Record("P1");
  EXPECT_EQ(rec.decision().outcome(), rv1::NURTURE);
  EXPECT_FALSE(IsSlim(rec)) << "a redelivered rejection must re-emit the lead to nurture";
  EXPECT_GT(Ttl(DecisionKey("P1")), kWindow - 60);
  EXPECT_LE(Ttl(DecisionKey("P1")), kWindow);

  auto again = feedback_->Apply(fb);  // redelivered
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->redelivered);
  ASSERT_EQ(again->outputs.size(), 1u);
  rv1::NurtureRequested n;
  ASSERT_TRUE(n.ParseFromString(again->outputs[0].payload));
  EXPECT_EQ(n.scored().lead().contact().email(), kEmail);
  EXPECT_EQ(n.reason(), cv1::BUDGET_TOO_SMALL);
}

// A close whose first attempt left the whole record behind (here: put back
// by hand) is settled by the redelivered feedback.
TEST_F(RoutingStateLifecycleTest, ARedeliveredCloseSlimsARecordStillHoldingTheLead) {
  const std::string rep =
      AssignedRep(Handle(WithContact(Lead("S1", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE))));
  ASSERT_FALSE(rep.empty());
  const std::string whole = Get(DecisionKey("S1"));
  rv1::SalesFeedback fb;
  fb.set_lead_id("S1");
  fb.set_rep_id(rep);
  fb.set_kind(rv1::CLOSE);
  fb.set_outcome(rv1::LOST);
  ASSERT_TRUE(feedback_->Apply(fb).ok());
  server_->Command({"SET", DecisionKey("S1"), whole});
  auto again = feedback_->Apply(fb);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->redelivered);
  EXPECT_TRUE(IsSlim(Record("S1")));
  EXPECT_GT(Ttl(DecisionKey("S1")), kOwned - 60);
}

TEST_F(RoutingStateLifecycleTest, AnErasedContactsSlimRecordReEmitsNoPersonalData) {
  auto warm = WithContact(Lead("E1", cv1::SMB, cv1::DEAL_BAND_SMALL));
  warm.set_lifecycle_stage(cv1::LEAD);
  const auto first = Handle(warm);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_NE(first[0].payload.find(kEmail), std::string::npos);

  RoutingPrivacy privacy(*redis_, clock_);
  leadflow::privacy::v1::ContactErasure erasure;
  erasure.set_erasure_id("er-1");
  erasure.set_contact_id("c-00000000000000a1");
  erasure.add_lead_ids("E1");
  ASSERT_TRUE(privacy.Erase(erasure).ok());
  const rv1::LeadAssigned rec = Record("E1");
  EXPECT_TRUE(IsErased(rec));
  EXPECT_EQ(rec.decision().outcome(), rv1::NURTURE);
  EXPECT_GT(Ttl(DecisionKey("E1")), kWindow - 60) << "the erasure keeps the TTL";
  ASSERT_TRUE(privacy.Erase(erasure).ok());  // redelivered: harmless

  // A redelivered message still carries the person: what routing re-emits does not.
  const auto again = Handle(warm);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].topic, topics::kLeadsNurture);
  EXPECT_EQ(again[0].payload.find(kEmail), std::string::npos);
  rv1::NurtureRequested n;
  ASSERT_TRUE(n.ParseFromString(again[0].payload));
  EXPECT_EQ(n.scored().lead().meta().lead_id(), "E1");
  EXPECT_FALSE(n.scored().lead().has_contact());
  EXPECT_EQ(n.decision().outcome(), rv1::NURTURE);
}

}  // namespace
}  // namespace leadflow::routing

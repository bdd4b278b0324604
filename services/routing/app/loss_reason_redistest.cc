// Coded loss reasons (issue 17.3; docs/domain-rules.md, "Why deals are lost"),
// against a real redis-server: a LOST close carries a loss reason code, the
// code (never the free text) is counted in leadflow_routing_deals_lost_total,
// and a close retried with another code is a different answer.
#include <gtest/gtest.h>

#include "routing/testing/routing_app_fixture.h"

namespace leadflow::routing {
namespace {

namespace cfg = leadflow::config::v1;

class LossReasonTest : public RoutingAppTest {
 protected:
  void SetUp() override {
    RoutingAppTest::SetUp();
    cfg::RoutingRules rules = testutil::SampleRules();
    rules.set_require_loss_reason(true);
    Rebuild(rules);
  }
  void Rebuild(const cfg::RoutingRules& rules) {
    policy_ = testutil::MustPolicy(rules);
    engine_ = std::make_unique<RoutingEngine>(policy_, *store_, broadcaster_, *metrics_, clock_);
    feedback_ = std::make_unique<FeedbackProcessor>(policy_, *store_, *metrics_, clock_);
    grpc_ = std::make_unique<RoutingGrpcService>(policy_, *store_, producer_, broadcaster_,
                                                 *feedback_, clock_);
  }
  std::string Assign(const std::string& id) {
    auto out = Handle(Lead(id, cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
    rv1::LeadAssigned a;
    EXPECT_EQ(out.size(), 1u);
    if (out.empty() || !a.ParseFromString(out[0].payload)) return "";
    return a.decision().rep_id();
  }
  grpc::Status Close(const std::string& id, const std::string& rep, rv1::DealOutcome o,
                     cv1::ReasonCode loss, const std::string& detail, rv1::FeedbackAck* ack) {
    rv1::CloseLeadRequest r;
    r.set_lead_id(id);
    r.set_rep_id(rep);
    r.set_outcome(o);
    r.set_loss_reason(loss);
    r.set_loss_detail(detail);
    return grpc_->CloseLead(nullptr, &r, ack);
  }
  double Lost(const std::string& reason) {
    return registry_
        .GetCounter("leadflow_routing_deals_lost_total", "",
                    {{"reason", reason}, {"team", "key-accounts"}})
        .Value();
  }
  std::vector<rv1::SalesFeedback> Published(const std::string& lead_id) {
    std::vector<rv1::SalesFeedback> out;
    for (const auto& m : producer_.SentTo(topics::kSalesFeedback)) {
      rv1::SalesFeedback f;
      EXPECT_TRUE(f.ParseFromString(m.payload));
      if (f.lead_id() == lead_id) out.push_back(f);
    }
    return out;
  }
  Status OnTopic(const rv1::SalesFeedback& f) {
    kafka::ConsumedMessage m;
    m.topic = std::string(topics::kSalesFeedbackTeamPrefix) + "key-accounts";
    m.key = f.lead_id();
    m.payload = f.SerializeAsString();
    std::vector<kafka::OutgoingMessage> out;
    return feedback_->Handle(m, out);
  }
};

TEST_F(LossReasonTest, ALostCloseCarriesItsCodeIntoTheMetricNeverItsText) {
  const std::string rep = Assign("LR1");
  rv1::FeedbackAck ack, retry;
  // Without a code: refused, naming the field; nothing recorded or published.
  grpc::Status st = Close("LR1", rep, rv1::LOST, cv1::REASON_UNSPECIFIED, "", &ack);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("loss_reason:", 0), 0u) << st.error_message();
  st = Close("LR1", rep, rv1::LOST, cv1::LOST_TO_COMPETITOR, "", &ack);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("loss_detail:", 0), 0u) << st.error_message();
  EXPECT_TRUE(Published("LR1").empty());

  st = Close("LR1", rep, rv1::LOST, cv1::LOST_TO_COMPETITOR, "Acme Integration", &ack);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(ack.status(), "closed: LOST (LOST_TO_COMPETITOR)");
  EXPECT_EQ(ack.state(), rv1::SALES_CLOSED);
  EXPECT_EQ(Lost("LOST_TO_COMPETITOR"), 1);
  // The competitor's name stays on sales.feedback.
  ASSERT_EQ(Published("LR1").size(), 1u);
  EXPECT_EQ(Published("LR1")[0].loss_reason(), cv1::LOST_TO_COMPETITOR);
  EXPECT_EQ(Published("LR1")[0].loss_detail(), "Acme Integration");
  const std::string text = registry_.Serialize();
  EXPECT_EQ(text.find("Acme"), std::string::npos) << "free text in the metrics";

  // The same close again (the name spelled otherwise): a retry, counted once.
  ASSERT_TRUE(Close("LR1", rep, rv1::LOST, cv1::LOST_TO_COMPETITOR, "ACME", &retry).ok());
  EXPECT_TRUE(retry.already_applied());
  EXPECT_EQ(retry.version(), ack.version());
  EXPECT_EQ(Lost("LOST_TO_COMPETITOR"), 1);
  // Another code is another answer: refused naming the state; WON too.
  st = Close("LR1", rep, rv1::LOST, cv1::LOST_PRICE, "", &retry);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("CLOSED (LOST:LOST_TO_COMPETITOR)"), std::string::npos)
      << st.error_message();
  EXPECT_EQ(Close("LR1", rep, rv1::WON, cv1::REASON_UNSPECIFIED, "", &retry).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Lost("LOST_PRICE"), 0);
  EXPECT_EQ(Published("LR1").size(), 2u);  // the first close and its retry, both the same

  // GetLead reports the code.
  rv1::GetLeadRequest get;
  get.set_lead_id("LR1");
  rv1::LeadView view;
  ASSERT_TRUE(grpc_->GetLead(nullptr, &get, &view).ok());
  EXPECT_EQ(view.state(), rv1::SALES_CLOSED);
  EXPECT_EQ(view.deal_outcome(), rv1::LOST);
  EXPECT_EQ(view.loss_reason(), cv1::LOST_TO_COMPETITOR);
}

// On a team's feedback topic the same checks hold, with the reason code the
// consumer loop dead-letters the record under (leads.rejected).
TEST_F(LossReasonTest, TopicRecordsAreCheckedAlike) {
  const std::string rep = Assign("LR2");
  rv1::SalesFeedback fb;
  fb.set_lead_id("LR2");
  fb.set_rep_id(rep);
  fb.set_kind(rv1::CLOSE);
  fb.set_outcome(rv1::LOST);
  Status s = OnTopic(fb);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.reason(), cv1::MISSING_FIELD);
  EXPECT_EQ(s.message().rfind("loss_reason:", 0), 0u) << s.message();
  fb.set_outcome(rv1::WON);
  fb.set_loss_reason(cv1::LOST_TIMING);
  s = OnTopic(fb);
  EXPECT_EQ(s.reason(), cv1::INVALID_FIELD);
  EXPECT_EQ(s.message().rfind("loss_reason: only a LOST", 0), 0u) << s.message();
  fb.set_outcome(rv1::LOST);
  fb.set_loss_reason(cv1::LOST_TENDER);
  fb.set_loss_detail("the tender asked for a vendor certified by the customer's regulator");
  ASSERT_TRUE(OnTopic(fb).ok());
  EXPECT_EQ(Lost("LOST_TENDER"), 1);
  ASSERT_TRUE(OnTopic(fb).ok()) << "a redelivery is a retry";
  EXPECT_EQ(Lost("LOST_TENDER"), 1);
}

// With require_loss_reason off (sales tools not sending codes yet) a LOST
// without a code is taken and counted as UNSPECIFIED; a code given is still
// checked.
TEST_F(LossReasonTest, NotRequiredALostWithoutACodeCountsAsUnspecified) {
  Rebuild(testutil::SampleRules());
  const std::string rep = Assign("LR3");
  rv1::FeedbackAck ack;
  ASSERT_TRUE(Close("LR3", rep, rv1::LOST, cv1::REASON_UNSPECIFIED, "", &ack).ok());
  EXPECT_EQ(ack.status(), "closed: LOST");
  EXPECT_EQ(Lost("UNSPECIFIED"), 1);
  const std::string rep4 = Assign("LR4");
  EXPECT_EQ(Close("LR4", rep4, rv1::LOST, cv1::NOT_A_FIT, "", &ack).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace leadflow::routing

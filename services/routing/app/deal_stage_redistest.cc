// Deal stages after acceptance and their stall timers, against a real
// redis-server (docs/domain-rules.md §6, docs/state.md fb:<lead> and stalls):
// moves over gRPC and on a team's feedback topic, forward freely and back
// with a reason only; identical retries answer alike; a stage kept past its
// maximum stalls once (deals.stalls, the metric, the stream); the stage, its
// entry time, the value and a fired stall survive a Redis loss (the rebuild
// from the topics).
#include <gtest/gtest.h>

#include "routing/app/routing_state_rebuild.h"
#include "routing/domain/sales_state.h"
#include "routing/testing/routing_app_fixture.h"

namespace leadflow::routing {
namespace {

namespace cfg = leadflow::config::v1;

class DealStageTest : public RoutingAppTest {
 protected:
  void SetUp() override {
    RoutingAppTest::SetUp();
    cfg::RoutingRules rules = testutil::SampleRules();
    auto add = [&](const char* id, int pct, const char* max, cfg::DealStageOwner owner) {
      auto* s = rules.add_deal_stages();
      s->set_stage_id(id);
      s->set_win_probability_pct(pct);
      s->set_max_time_in_stage(max);
      s->set_owner(owner);
    };
    add("qualification", 10, "30d", cfg::REP);
    add("presale", 20, "45d", cfg::PRESALE);
    add("contract_approval", 40, "5s", cfg::REP);  // short: stalls in the tests
    policy_ = testutil::MustPolicy(rules);
    feedback_ = std::make_unique<FeedbackProcessor>(policy_, *store_, *metrics_, clock_);
    grpc_ = std::make_unique<RoutingGrpcService>(policy_, *store_, producer_, broadcaster_,
                                                 *feedback_, clock_);
    engine_ = std::make_unique<RoutingEngine>(policy_, *store_, broadcaster_, *metrics_, clock_);
    scheduler_ = std::make_unique<RoutingScheduler>(policy_, engine_->rep_picker(), *store_,
                                                    producer_, broadcaster_, *metrics_, clock_);
  }
  // Assigns and accepts lead `id`; its rep.
  std::string AcceptedLead(const std::string& id) {
    auto out = Handle(Lead(id, cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
    EXPECT_EQ(out.size(), 1u);
    rv1::LeadAssigned a;
    if (out.empty() || !a.ParseFromString(out[0].payload)) return "";
    assigned_.push_back(out[0]);
    rv1::AcceptLeadRequest r;
    r.set_lead_id(id);
    r.set_rep_id(a.decision().rep_id());
    rv1::FeedbackAck ack;
    EXPECT_TRUE(grpc_->AcceptLead(nullptr, &r, &ack).ok());
    return a.decision().rep_id();
  }
  grpc::Status Advance(const std::string& id, const std::string& rep, const std::string& stage,
                       int64_t value, rv1::FeedbackAck* ack, const std::string& back = "",
                       int64_t expected = 0) {
    rv1::AdvanceStageRequest r;
    r.set_lead_id(id);
    r.set_rep_id(rep);
    r.set_stage(stage);
    r.set_deal_value_rub(value);
    r.set_back_reason(back);
    r.set_expected_version(expected);
    return grpc_->AdvanceStage(nullptr, &r, ack);
  }
  template <typename T>
  std::vector<T> Events(const char* topic, const std::string& lead_id) {
    std::vector<T> out;
    for (const auto& m : producer_.SentTo(topic)) {
      T e;
      EXPECT_TRUE(e.ParseFromString(m.payload));
      if (e.lead_id() == lead_id) out.push_back(e);
    }
    return out;
  }
  double Metric(const std::string& name, const metrics::Labels& labels) {
    return registry_.GetCounter(name, "", labels).Value();
  }
  std::vector<kafka::OutgoingMessage> assigned_;  // leads.assigned, as the engine emitted them
};

TEST_F(DealStageTest, MovesForwardFreelyBackWithAReasonAndRetriesAnswerAlike) {
  const std::string rep = AcceptedLead("D1");
  clock_.Advance(std::chrono::hours(1));
  rv1::FeedbackAck q, p, retry, ack;
  ASSERT_TRUE(Advance("D1", rep, "qualification", 12000000, &q).ok());
  EXPECT_EQ(q.state(), rv1::SALES_IN_STAGE);
  EXPECT_EQ(q.outcome(), rv1::FEEDBACK_STAGE_CHANGED);
  EXPECT_EQ(q.stage(), "qualification");
  EXPECT_EQ(q.win_probability_pct(), 10);
  clock_.Advance(std::chrono::hours(2));
  ASSERT_TRUE(Advance("D1", rep, "presale", 0, &p, "", q.version()).ok());
  EXPECT_EQ(p.win_probability_pct(), 20);

  auto moves = Events<rv1::DealStageChanged>(topics::kDealsStages, "D1");
  ASSERT_EQ(moves.size(), 2u);
  EXPECT_EQ(moves[0].previous_stage(), "");
  // Since the accept (a version may be 1 ms past its time).
  EXPECT_NEAR(moves[0].ms_in_previous_stage(), 3600 * 1000, 2);
  EXPECT_EQ(moves[1].stage(), "presale");
  EXPECT_EQ(moves[1].previous_stage(), "qualification");
  EXPECT_NEAR(moves[1].ms_in_previous_stage(), 2 * 3600 * 1000, 2);
  EXPECT_EQ(moves[1].deal_value_rub(), 12000000);  // 0 kept the value
  EXPECT_EQ(moves[1].win_probability_pct(), 20);
  EXPECT_EQ(moves[1].team(), "key-accounts");
  EXPECT_EQ(moves[1].version(), p.version());
  EXPECT_FALSE(moves[1].backward());

  // The same move retried: the same ack, the event again, nothing changed.
  ASSERT_TRUE(Advance("D1", rep, "presale", 0, &retry, "", q.version()).ok());
  EXPECT_TRUE(retry.already_applied());
  EXPECT_EQ(retry.version(), p.version());
  EXPECT_EQ(retry.stage(), "presale");
  EXPECT_EQ(Events<rv1::DealStageChanged>(topics::kDealsStages, "D1").size(), 3u);
  // Another answer from the version the presale move was made from: refused.
  grpc::Status other = Advance("D1", rep, "contract_approval", 0, &ack, "", q.version());
  EXPECT_EQ(other.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(other.error_message().find("IN_STAGE (presale)"), std::string::npos)
      << other.error_message();

  // Back without a reason: refused; with one: applied and marked backward.
  grpc::Status back = Advance("D1", rep, "qualification", 0, &ack);
  EXPECT_EQ(back.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(back.error_message().find("back_reason"), std::string::npos);
  ASSERT_TRUE(Advance("D1", rep, "qualification", 0, &ack, "presale found a scope gap").ok());
  EXPECT_TRUE(Events<rv1::DealStageChanged>(topics::kDealsStages, "D1").back().backward());
  // The back reason stays on sales.feedback, never on deals.stages.
  for (const auto& m : producer_.SentTo(topics::kDealsStages)) {
    EXPECT_EQ(m.payload.find("scope gap"), std::string::npos);
  }

  // Not the rep's lead: the one text of every feedback.
  grpc::Status foreign = Advance("D1", "someone-else", "presale", 0, &ack);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(foreign.error_message(), "lead D1 is not open with rep someone-else");
  // An unknown stage: the field is named.
  grpc::Status unknown = Advance("D1", rep, "negotiation", 0, &ack);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(unknown.error_message().find("stage: unknown stage"), std::string::npos);

  // GetLead shows the stage; a close from a stage is terminal and stops the timer.
  rv1::GetLeadRequest g;
  g.set_lead_id("D1");
  rv1::LeadView view;
  ASSERT_TRUE(grpc_->GetLead(nullptr, &g, &view).ok());
  EXPECT_EQ(view.state(), rv1::SALES_IN_STAGE);
  EXPECT_EQ(view.stage(), "qualification");
  EXPECT_EQ(view.deal_value_rub(), 12000000);
  EXPECT_NE(server_->Command({"ZSCORE", "lf:{routing}:stalls", "D1"}).value_or("(nil)"), "(nil)");
  rv1::CloseLeadRequest c;
  c.set_lead_id("D1");
  c.set_rep_id(rep);
  c.set_outcome(rv1::WON);
  ASSERT_TRUE(grpc_->CloseLead(nullptr, &c, &ack).ok());
  EXPECT_EQ(server_->Command({"ZSCORE", "lf:{routing}:stalls", "D1"}).value_or(""), "(nil)");
  EXPECT_EQ(Advance("D1", rep, "presale", 0, &ack).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Metric("leadflow_routing_deal_stage_changes_total",
                   {{"stage", "qualification"}, {"team", "key-accounts"}}),
            2);
}

TEST_F(DealStageTest, ALeadNotYetAcceptedHasNoStage) {
  auto out = Handle(Lead("D2", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  rv1::LeadAssigned a;
  ASSERT_TRUE(a.ParseFromString(out.at(0).payload));
  rv1::FeedbackAck ack;
  grpc::Status s = Advance("D2", a.decision().rep_id(), "presale", 0, &ack);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("is ASSIGNED"), std::string::npos) << s.error_message();
}

TEST_F(DealStageTest, ATeamTopicMovesTheDealAndRepublishesWithItsTime) {
  const std::string rep = AcceptedLead("D3");
  rv1::SalesFeedback fb;
  fb.set_lead_id("D3");
  fb.set_rep_id(rep);
  fb.set_kind(rv1::STAGE);
  fb.set_stage("presale");
  fb.set_deal_value_rub(3000000);
  kafka::ConsumedMessage m;
  m.topic = std::string(topics::kSalesFeedbackTeamPrefix) + "key-accounts";
  m.key = "D3";
  m.payload = fb.SerializeAsString();
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(feedback_->Handle(m, out).ok());
  ASSERT_EQ(out.size(), 2u);  // deals.stages, then sales.feedback
  EXPECT_EQ(out[0].topic, topics::kDealsStages);
  EXPECT_EQ(out[1].topic, topics::kSalesFeedback);
  rv1::SalesFeedback republished;
  ASSERT_TRUE(republished.ParseFromString(out[1].payload));
  EXPECT_TRUE(republished.has_at());  // the rebuild reads the stage's entry time from it
  // Another team's topic may not move it.
  m.topic = std::string(topics::kSalesFeedbackTeamPrefix) + "enterprise";
  out.clear();
  Status refused = feedback_->Handle(m, out);
  EXPECT_FALSE(refused.ok());
  EXPECT_TRUE(out.empty());
}

TEST_F(DealStageTest, AStageKeptPastItsMaximumStallsOnceAndSurvivesARedisLoss) {
  const std::string rep = AcceptedLead("D4");
  const std::string rep5 = AcceptedLead("D5");
  rv1::FeedbackAck a4, a5;
  ASSERT_TRUE(Advance("D4", rep, "contract_approval", 50000000, &a4).ok());
  ASSERT_TRUE(Advance("D5", rep5, "presale", 8000000, &a5).ok());
  auto sub = broadcaster_.Subscribe(rep, "");
  ASSERT_TRUE(scheduler_->Tick().ok());
  EXPECT_TRUE(Events<rv1::DealStalled>(topics::kDealsStalls, "D4").empty()) << "stalled early";

  clock_.Advance(std::chrono::seconds(6));  // contract_approval's maximum is 5 s
  ASSERT_TRUE(scheduler_->Tick().ok());
  auto stalls = Events<rv1::DealStalled>(topics::kDealsStalls, "D4");
  ASSERT_EQ(stalls.size(), 1u);
  EXPECT_EQ(stalls[0].stage(), "contract_approval");
  EXPECT_EQ(stalls[0].owner(), "REP");
  EXPECT_EQ(stalls[0].rep_id(), rep);
  EXPECT_EQ(stalls[0].team(), "key-accounts");
  EXPECT_EQ(stalls[0].stage_version(), a4.version());
  EXPECT_EQ(stalls[0].max_ms_in_stage(), 5000);
  EXPECT_GE(stalls[0].ms_in_stage(), 5990);
  EXPECT_EQ(stalls[0].deal_value_rub(), 50000000);
  EXPECT_EQ(Metric("leadflow_routing_deal_stalls_total",
                   {{"stage", "contract_approval"}, {"team", "key-accounts"}}),
            1);
  // On the rep's stream: the change with `stalled`.
  rv1::LeadAssigned event;
  bool seen = false;
  while (sub->Pop(std::chrono::milliseconds(10), &event) ==
         AssignmentBroadcaster::Subscription::Next::kItem) {
    if (event.change().lead_id() == "D4" && event.change().stalled()) seen = true;
  }
  EXPECT_TRUE(seen);
  broadcaster_.Unsubscribe(sub);
  // Once per stay in the stage.
  clock_.Advance(std::chrono::seconds(30));
  ASSERT_TRUE(scheduler_->Tick().ok());
  EXPECT_EQ(Events<rv1::DealStalled>(topics::kDealsStalls, "D4").size(), 1u);
  EXPECT_TRUE(Events<rv1::DealStalled>(topics::kDealsStalls, "D5").empty());

  // Redis loses everything; the rebuild restores stages, values, the stall and D5's timer.
  auto before4 = store_->sales_feedback.Tags("D4");
  auto before5 = store_->sales_feedback.Tags("D5");
  ASSERT_TRUE(before4.ok() && before5.ok());
  const std::string timer5 =
      server_->Command({"ZSCORE", "lf:{routing}:stalls", "D5"}).value_or("(nil)");
  ASSERT_NE(timer5, "(nil)");
  ASSERT_TRUE(redis_->Run({"FLUSHALL"}).ok());
  std::map<std::string, std::vector<kafka::ConsumedMessage>> topics_seen;
  auto keep = [&](const kafka::OutgoingMessage& o) {
    kafka::ConsumedMessage c;
    c.topic = o.topic;
    c.key = o.key;
    c.payload = o.payload;
    topics_seen[o.topic].push_back(std::move(c));
  };
  for (const auto& o : assigned_) keep(o);
  for (const char* t : {topics::kSalesFeedback, topics::kDealsStalls}) {
    for (const auto& o : producer_.SentTo(t)) keep(o);
  }
  RoutingStateRebuild rebuild(
      *redis_, policy_,
      [&](const std::string& topic, const std::function<void(const kafka::ConsumedMessage&)>& v) {
        for (const auto& m : topics_seen[topic]) v(m);
        return Status::Ok();
      },
      "test", clock_, nullptr);
  ASSERT_TRUE(rebuild.Check().ok());
  auto after4 = store_->sales_feedback.Tags("D4");
  auto after5 = store_->sales_feedback.Tags("D5");
  ASSERT_TRUE(after4.ok() && after5.ok());
  for (const auto& [b, a] : {std::pair{*before4, *after4}, std::pair{*before5, *after5}}) {
    EXPECT_EQ(a.stage, b.stage);
    EXPECT_EQ(a.stage_version, b.stage_version);
    EXPECT_EQ(a.value_rub, b.value_rub);
    EXPECT_EQ(a.win_probability_pct, b.win_probability_pct);
    EXPECT_EQ(a.stalled_version, b.stalled_version);
    EXPECT_EQ(a.accepted_by, b.accepted_by);
  }
  EXPECT_GT(after4->stalled_version, 0);
  EXPECT_EQ(server_->Command({"ZSCORE", "lf:{routing}:stalls", "D5"}).value_or("none"), timer5);
  EXPECT_EQ(server_->Command({"ZSCORE", "lf:{routing}:stalls", "D4"}).value_or("none"), "(nil)");
  // Nothing fires twice after the rebuild; the moved deal still moves.
  ASSERT_TRUE(scheduler_->Tick().ok());
  EXPECT_EQ(Events<rv1::DealStalled>(topics::kDealsStalls, "D4").size(), 1u);
  rv1::FeedbackAck ack;
  ASSERT_TRUE(Advance("D5", rep5, "contract_approval", 0, &ack).ok());
  EXPECT_EQ(ack.win_probability_pct(), 40);
}

}  // namespace
}  // namespace leadflow::routing

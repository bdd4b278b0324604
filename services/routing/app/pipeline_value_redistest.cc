// Open pipeline value (issue 17.5; docs/domain-rules.md §6, "Pipeline value"),
// against a real redis-server: the scheduler sums the deals in a stage per
// team and segment, weighted by the stage's win probability, from Redis
// alone, so a second replica (or a restarted one) reports the same; a close
// takes a deal out; a state being rebuilt keeps the last totals.
#include <gtest/gtest.h>

#include "routing/testing/routing_app_fixture.h"

namespace leadflow::routing {
namespace {

namespace cfg = leadflow::config::v1;

class PipelineValueTest : public RoutingAppTest {
 protected:
  void SetUp() override {
    RoutingAppTest::SetUp();
    cfg::RoutingRules rules = testutil::SampleRules();
    for (auto [id, pct] : {std::pair{"qualification", 10}, {"proposal", 30}}) {
      auto* s = rules.add_deal_stages();
      s->set_stage_id(id);
      s->set_win_probability_pct(pct);
      s->set_max_time_in_stage("30d");
      s->set_owner(cfg::REP);
    }
    policy_ = testutil::MustPolicy(rules);
    engine_ = std::make_unique<RoutingEngine>(policy_, *store_, broadcaster_, *metrics_, clock_);
    feedback_ = std::make_unique<FeedbackProcessor>(policy_, *store_, *metrics_, clock_);
    grpc_ = std::make_unique<RoutingGrpcService>(policy_, *store_, producer_, broadcaster_,
                                                 *feedback_, clock_);
    scheduler_ = NewScheduler(*metrics_);
  }
  std::unique_ptr<RoutingScheduler> NewScheduler(RoutingMetrics& m) {
    return std::make_unique<RoutingScheduler>(policy_, engine_->rep_picker(), *store_, producer_,
                                              broadcaster_, m, clock_);
  }
  // Assigns and accepts lead `id` and moves it to `stage` with `value`; its rep.
  std::string InStage(const std::string& id, cv1::Segment seg, const std::string& stage,
                      int64_t value) {
    auto out = Handle(Lead(id, seg, cv1::DEAL_BAND_LARGE));
    rv1::LeadAssigned a;
    EXPECT_EQ(out.size(), 1u);
    if (out.empty() || !a.ParseFromString(out[0].payload)) return "";
    rv1::FeedbackAck ack;
    rv1::AcceptLeadRequest acc;
    acc.set_lead_id(id);
    acc.set_rep_id(a.decision().rep_id());
    EXPECT_TRUE(grpc_->AcceptLead(nullptr, &acc, &ack).ok());
    if (!stage.empty()) {
      rv1::AdvanceStageRequest r;
      r.set_lead_id(id);
      r.set_rep_id(a.decision().rep_id());
      r.set_stage(stage);
      r.set_deal_value_rub(value);
      grpc::Status st = grpc_->AdvanceStage(nullptr, &r, &ack);
      EXPECT_TRUE(st.ok()) << st.error_message();
    }
    return a.decision().rep_id();
  }
  double Gauge(metrics::Registry& reg, const std::string& name, const std::string& segment) {
    return reg.GetGauge(name, "", {{"team", "key-accounts"}, {"segment", segment}}).Value();
  }
  void Refresh(RoutingScheduler& s) {
    clock_.Advance(std::chrono::milliseconds(RoutingScheduler::kPipelineRefreshMs));
    ASSERT_TRUE(s.Tick().ok());
  }
};

TEST_F(PipelineValueTest, SumsOpenDealsWeightedByStageAlikeInEveryReplica) {
  const std::string rep1 = InStage("P1", cv1::ENTERPRISE, "proposal", 80000000);
  const std::string rep2 = InStage("P2", cv1::ENTERPRISE, "qualification", 20000000);
  InStage("P3", cv1::ENTERPRISE, "", 0);  // accepted, no stage: no value yet
  Refresh(*scheduler_);
  EXPECT_DOUBLE_EQ(Gauge(registry_, "leadflow_routing_pipeline_value_rub", "ENTERPRISE"),
                   100000000);
  EXPECT_DOUBLE_EQ(Gauge(registry_, "leadflow_routing_pipeline_value_weighted_rub", "ENTERPRISE"),
                   80000000 * 0.30 + 20000000 * 0.10);

  // Another replica (or this one restarted): its own registry, the same Redis.
  metrics::Registry other;
  metrics::ServiceMetrics other_service{other, "routing"};
  RoutingMetrics other_metrics(other_service);
  auto replica = NewScheduler(other_metrics);
  ASSERT_TRUE(replica->Tick().ok());
  EXPECT_DOUBLE_EQ(Gauge(other, "leadflow_routing_pipeline_value_rub", "ENTERPRISE"), 100000000);
  EXPECT_DOUBLE_EQ(Gauge(other, "leadflow_routing_pipeline_value_weighted_rub", "ENTERPRISE"),
                   26000000);

  // A close takes the deal out (at the next refresh).
  rv1::CloseLeadRequest close;
  close.set_lead_id("P2");
  close.set_rep_id(rep2);
  close.set_outcome(rv1::WON);
  rv1::FeedbackAck ack;
  ASSERT_TRUE(grpc_->CloseLead(nullptr, &close, &ack).ok());
  Refresh(*scheduler_);
  EXPECT_DOUBLE_EQ(Gauge(registry_, "leadflow_routing_pipeline_value_rub", "ENTERPRISE"), 80000000);
  EXPECT_DOUBLE_EQ(Gauge(registry_, "leadflow_routing_pipeline_value_weighted_rub", "ENTERPRISE"),
                   24000000);

  // A state lost and being rebuilt (its marker gone, its open sets not yet
  // back) is no total: the last one stays.
  ASSERT_TRUE(redis_->Run({"DEL", RoutingStateKey()}).ok());
  for (const auto& rep : {rep1, rep2}) {
    ASSERT_TRUE(redis_->Run({"DEL", "lf:{routing}:open-set:" + rep}).ok());
  }
  clock_.Advance(std::chrono::milliseconds(RoutingScheduler::kPipelineRefreshMs));
  EXPECT_FALSE(scheduler_->Tick().ok());
  EXPECT_DOUBLE_EQ(Gauge(registry_, "leadflow_routing_pipeline_value_rub", "ENTERPRISE"), 80000000);
}

TEST_F(PipelineValueTest, AClosedLastDealOfASegmentFallsToZero) {
  const std::string rep = InStage("Z1", cv1::ENTERPRISE, "proposal", 50000000);
  Refresh(*scheduler_);
  ASSERT_DOUBLE_EQ(Gauge(registry_, "leadflow_routing_pipeline_value_rub", "ENTERPRISE"), 50000000);
  rv1::CloseLeadRequest close;
  close.set_lead_id("Z1");
  close.set_rep_id(rep);
  close.set_outcome(rv1::LOST);
  close.set_loss_reason(cv1::LOST_PRICE);
  rv1::FeedbackAck ack;
  ASSERT_TRUE(grpc_->CloseLead(nullptr, &close, &ack).ok());
  Refresh(*scheduler_);
  EXPECT_DOUBLE_EQ(Gauge(registry_, "leadflow_routing_pipeline_value_rub", "ENTERPRISE"), 0);
  EXPECT_DOUBLE_EQ(Gauge(registry_, "leadflow_routing_pipeline_value_weighted_rub", "ENTERPRISE"),
                   0);
}

}  // namespace
}  // namespace leadflow::routing

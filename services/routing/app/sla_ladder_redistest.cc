// The SLA escalation ladder (docs/domain-rules.md §5) through the routing
// scheduler against a real redis-server: reminder, escalation, re-assignment
// in order; once across replicas; again after a crash before the event;
// restarts; a team without a ladder unchanged.
#include "leadflow/routing/v1/sla_escalation.pb.h"
#include "routing/app/sla_ladder_store.h"
#include "routing/testing/routing_app_fixture.h"

namespace leadflow::routing {
namespace {

class SlaLadderTest : public RoutingAppTest {
 protected:
  void SetUp() override {
    RoutingAppTest::SetUp();
    ladder_store_ = std::make_unique<SlaLadderStore>(*redis_);
    UsePolicy(/*with_ladder=*/true);
  }

  // key-accounts: 60 business minutes; remind at 50 %, grace 30 minutes.
  void UsePolicy(bool with_ladder) {
    auto rules = testutil::SampleRules();
    if (with_ladder) {
      for (auto& team : *rules.mutable_teams()) {
        if (team.team_id() != "key-accounts") continue;
        team.mutable_sla_ladder()->set_remind_at_pct(50);
        team.mutable_sla_ladder()->set_escalate_to("ka-lead");
        team.mutable_sla_ladder()->set_reassign_grace_business_minutes(30);
      }
    }
    policy_ = testutil::MustPolicy(rules);
    engine_ = std::make_unique<RoutingEngine>(policy_, *store_, broadcaster_, *metrics_, clock_);
    scheduler_ = NewScheduler();
  }

  std::unique_ptr<RoutingScheduler> NewScheduler() {
    return std::make_unique<RoutingScheduler>(policy_, engine_->rep_picker(), *store_, producer_,
                                              broadcaster_, *metrics_, clock_, ladder_store_.get());
  }

  rv1::LeadAssigned Route(const std::string& id) {
    auto out = Handle(Lead(id, cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
    for (const auto& m : out) EXPECT_TRUE(producer_.Produce(m).ok());
    EXPECT_TRUE(producer_.Flush(std::chrono::seconds(1)).ok());
    rv1::LeadAssigned a;
    EXPECT_EQ(out.size(), 1u);
    if (!out.empty()) {
      EXPECT_TRUE(a.ParseFromString(out[0].payload));
    }
    return a;
  }

  std::vector<rv1::SlaEscalation> Steps() {
    std::vector<rv1::SlaEscalation> out;
    for (const auto& m : producer_.SentTo(topics::kSlaEscalations)) {
      rv1::SlaEscalation e;
      EXPECT_TRUE(e.ParseFromString(m.payload));
      EXPECT_EQ(m.key, e.lead_id());
      out.push_back(e);
    }
    return out;
  }

  std::vector<rv1::LeadAssigned> Assigned() {
    std::vector<rv1::LeadAssigned> out;
    for (const auto& m : producer_.SentTo(topics::kLeadsAssigned)) {
      rv1::LeadAssigned a;
      EXPECT_TRUE(a.ParseFromString(m.payload));
      out.push_back(a);
    }
    return out;
  }

  double StepMetric(const std::string& step) {
    return registry_
        .GetCounter("leadflow_routing_sla_steps_total", "",
                    {{"team", "key-accounts"}, {"step", step}})
        .Value();
  }

  void TickAt(std::chrono::minutes since_start) {
    clock_.SetMillis(kStartMs +
                     std::chrono::duration_cast<std::chrono::milliseconds>(since_start).count());
    ASSERT_TRUE(scheduler_->Tick().ok());
  }

  static constexpr int64_t kStartMs = 1763715600000;  // Friday noon, Moscow
  std::unique_ptr<SlaLadderStore> ladder_store_;
};

TEST_F(SlaLadderTest, RemindsEscalatesThenReassignsInOrderAcrossARestart) {
  const auto first = Route("L1");
  ASSERT_EQ(first.decision().outcome(), rv1::ASSIGNED);
  const std::string rep1 = first.decision().rep_id();

  TickAt(std::chrono::minutes(29));
  EXPECT_TRUE(Steps().empty());
  TickAt(std::chrono::minutes(31));  // 50 % of 60 business minutes passed
  auto steps = Steps();
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].step(), rv1::SLA_STEP_REMINDER);
  EXPECT_EQ(steps[0].rep_id(), rep1);
  EXPECT_EQ(steps[0].team(), "key-accounts");
  EXPECT_EQ(steps[0].due_at().seconds() * 1000, kStartMs + 30 * 60000);
  EXPECT_EQ(steps[0].sla_due_at().seconds() * 1000, kStartMs + 60 * 60000);
  TickAt(std::chrono::minutes(45));
  EXPECT_EQ(Steps().size(), 1u);  // once

  // The process restarts; the ladder lives in Redis.
  scheduler_ = NewScheduler();
  TickAt(std::chrono::minutes(61));  // the deadline: the team lead, not a new rep
  steps = Steps();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[1].step(), rv1::SLA_STEP_ESCALATION);
  EXPECT_EQ(steps[1].escalate_to(), "ka-lead");
  EXPECT_EQ(steps[1].rep_id(), rep1);
  EXPECT_EQ(steps[1].due_at().seconds() * 1000, kStartMs + 60 * 60000);
  EXPECT_EQ(Assigned().size(), 1u);
  TickAt(std::chrono::minutes(89));  // still within the grace
  EXPECT_EQ(Steps().size(), 2u);
  EXPECT_EQ(Assigned().size(), 1u);

  TickAt(std::chrono::minutes(91));  // the grace ran out: re-assigned
  auto assigned = Assigned();
  ASSERT_EQ(assigned.size(), 2u);
  EXPECT_EQ(assigned[1].decision().outcome(), rv1::REASSIGNED);
  const std::string rep2 = assigned[1].decision().rep_id();
  EXPECT_NE(rep2, rep1);
  steps = Steps();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[2].step(), rv1::SLA_STEP_REASSIGNED);
  EXPECT_EQ(steps[2].rep_id(), rep1);
  EXPECT_EQ(steps[2].new_rep_id(), rep2);

  EXPECT_EQ(StepMetric("reminder"), 1);
  EXPECT_EQ(StepMetric("escalation"), 1);
  EXPECT_EQ(StepMetric("reassigned"), 1);
  EXPECT_EQ(registry_
                .GetCounter("leadflow_routing_sla_breaches_total", "",
                            {{"team", "key-accounts"}, {"kind", "assigned"}})
                .Value(),
            1);

  // The new assignment climbs its own ladder: reminded 30 minutes later.
  TickAt(std::chrono::minutes(92));
  TickAt(std::chrono::minutes(122));
  steps = Steps();
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[3].step(), rv1::SLA_STEP_REMINDER);
  EXPECT_EQ(steps[3].rep_id(), rep2);
}

TEST_F(SlaLadderTest, TwoReplicasTakeEachStepOnce) {
  Route("L2");
  auto other = NewScheduler();
  for (int minute : {1, 31, 32, 61, 62, 91, 92}) {
    clock_.SetMillis(kStartMs + int64_t{minute} * 60000);
    ASSERT_TRUE(scheduler_->Tick().ok());
    ASSERT_TRUE(other->Tick().ok());
  }
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].step(), rv1::SLA_STEP_REMINDER);
  EXPECT_EQ(steps[1].step(), rv1::SLA_STEP_ESCALATION);
  EXPECT_EQ(steps[2].step(), rv1::SLA_STEP_REASSIGNED);
  EXPECT_EQ(Assigned().size(), 2u);
  EXPECT_EQ(StepMetric("reminder"), 1);
  EXPECT_EQ(StepMetric("escalation"), 1);
}

TEST_F(SlaLadderTest, AStepWhoseEventFailedIsSentAgainAfterItsLease) {
  Route("L3");
  TickAt(std::chrono::minutes(1));
  producer_.fail_produce = true;
  clock_.SetMillis(kStartMs + 31 * 60000);
  EXPECT_FALSE(scheduler_->Tick().ok());
  producer_.fail_produce = false;
  EXPECT_TRUE(Steps().empty());
  ASSERT_TRUE(scheduler_->Tick().ok());  // the lease still holds
  EXPECT_TRUE(Steps().empty());
  clock_.SetMillis(kStartMs + 31 * 60000 + policy_->outbox_resend_ms() + 1);
  ASSERT_TRUE(scheduler_->Tick().ok());
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].step(), rv1::SLA_STEP_REMINDER);
  EXPECT_EQ(StepMetric("reminder"), 1);

  // The same at the deadline: the escalation's timer moved, its event comes later.
  producer_.fail_produce = true;
  clock_.SetMillis(kStartMs + 61 * 60000);
  EXPECT_FALSE(scheduler_->Tick().ok());
  producer_.fail_produce = false;
  clock_.SetMillis(kStartMs + 61 * 60000 + policy_->outbox_resend_ms() + 1);
  ASSERT_TRUE(scheduler_->Tick().ok());
  ASSERT_EQ(Steps().size(), 2u);
  EXPECT_EQ(Steps()[1].step(), rv1::SLA_STEP_ESCALATION);
  EXPECT_EQ(Assigned().size(), 1u);  // not re-assigned before the grace end
}

TEST_F(SlaLadderTest, AfterARedisLossTheLadderIsRecomputedNeverSkippedNorEarly) {
  Route("L6");
  for (int minute : {1, 31, 61}) TickAt(std::chrono::minutes(minute));
  ASSERT_EQ(Steps().size(), 2u);  // reminded and escalated
  // What the state rebuild leaves (routing_state_rebuild.cc): the SLA timer
  // back at the record's deadline, no ladder entries, a new state marker.
  ASSERT_TRUE(
      redis_->Run({"ZADD", "lf:{routing}:sla", std::to_string(kStartMs + 60 * 60000), "L6"}).ok());
  ASSERT_TRUE(redis_->Run({"DEL", "lf:{routing}:sla-ladder"}).ok());
  ASSERT_TRUE(redis_->Run({"SET", RoutingStateKey(), "rebuilt"}).ok());
  TickAt(std::chrono::minutes(62));
  auto steps = Steps();
  ASSERT_EQ(steps.size(), 3u);  // the escalation once more, the same due_at; no reminder
  EXPECT_EQ(steps[2].step(), rv1::SLA_STEP_ESCALATION);
  EXPECT_EQ(steps[2].due_at().seconds(), steps[1].due_at().seconds());
  EXPECT_EQ(Assigned().size(), 1u);  // the grace still runs from the deadline
  TickAt(std::chrono::minutes(89));
  EXPECT_EQ(Assigned().size(), 1u);
  TickAt(std::chrono::minutes(91));
  EXPECT_EQ(Assigned().size(), 2u);
  EXPECT_EQ(Steps().back().step(), rv1::SLA_STEP_REASSIGNED);
}

// A tick reads only what changed: with many timers running and none new or
// due, the scheduler's Redis work does not grow with them (issue 21).
TEST_F(SlaLadderTest, AnIdleTickReadsNoRunningTimer) {
  for (int i = 0; i < 40; ++i) Route("M" + std::to_string(i));
  // How many times Redis ran `command` so far.
  const auto calls = [&](const std::string& command) {
    const std::string stats = server_->Command({"INFO", "commandstats"}).value_or("");
    const std::string field = "cmdstat_" + command + ":calls=";
    const auto at = stats.find(field);
    return at == std::string::npos ? 0L : std::stol(stats.substr(at + field.size()));
  };
  const long scripts = calls("evalsha");
  TickAt(std::chrono::minutes(1));            // the new timers armed, in one script call
  EXPECT_LT(calls("evalsha") - scripts, 10);  // the sync, the arming, a drain: not one per timer
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{routing}:sla-ladder-new"}).value_or(""), "0");
  const long zscores = calls("zscore");
  for (int minute : {2, 3, 4}) TickAt(std::chrono::minutes(minute));
  EXPECT_EQ(calls("zscore") - zscores, 0);
  EXPECT_TRUE(Steps().empty());
  TickAt(std::chrono::minutes(31));  // every reminder still fires on time
  EXPECT_EQ(StepMetric("reminder"), Steps().size());
  EXPECT_GT(Steps().size(), 0u);
}

TEST_F(SlaLadderTest, AcceptedBeforeTheReminderEndsTheLadder) {
  const auto a = Route("L4");
  TickAt(std::chrono::minutes(1));
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{routing}:sla-ladder"}).value_or(""), "1");
  rv1::AcceptLeadRequest req;
  req.set_lead_id("L4");
  req.set_rep_id(a.decision().rep_id());
  rv1::FeedbackAck ack;
  ASSERT_TRUE(grpc_->AcceptLead(nullptr, &req, &ack).ok());
  for (int minute : {31, 61, 91}) TickAt(std::chrono::minutes(minute));
  EXPECT_TRUE(Steps().empty());
  EXPECT_EQ(Assigned().size(), 1u);
  // The entry went with its SLA timer.
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{routing}:sla-ladder"}).value_or(""), "0");
}

TEST_F(SlaLadderTest, ATeamWithoutALadderIsReassignedAtTheDeadlineAsBefore) {
  UsePolicy(/*with_ladder=*/false);
  Route("L5");
  for (int minute : {31, 59}) TickAt(std::chrono::minutes(minute));
  EXPECT_EQ(Assigned().size(), 1u);
  TickAt(std::chrono::minutes(61));
  EXPECT_EQ(Assigned().size(), 2u);
  EXPECT_TRUE(Steps().empty());
  EXPECT_EQ(server_->Command({"EXISTS", "lf:{routing}:sla-ladder"}).value_or(""), "0");
}

}  // namespace
}  // namespace leadflow::routing

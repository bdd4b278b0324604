// The SLA escalation ladder (docs/domain-rules.md §5) over the real binaries
// (intake, scoring, routing, nurture), devkafka and redis-server, with
// routing's SLA clock scaled (LEADFLOW_ROUTING_SLA_TIME_SCALE=120: the 60
// business minutes of key-accounts pass in 30 s). The key-accounts reps keep
// no calendar in this copy of config/, so business time is plain time and the
// test does not depend on when it runs:
//   1. An 80 mln lead is assigned to key-accounts and nobody accepts it.
//   2. At 50 % of the SLA (15 s) a REMINDER for the rep is on sla.escalations.
//   3. Routing is killed (SIGKILL) and restarted: the ladder lives in Redis.
//   4. At the deadline (30 s) an ESCALATION to the team lead; the lead stays
//      with its rep through the grace (30 business minutes: 15 s).
//   5. After the grace the lead is REASSIGNED on leads.assigned to another
//      rep, and a REASSIGNED step follows; each step once, in order, by
//      leadflow_routing_sla_steps_total{step,team} too.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/kafka/topics.h"
#include "leadflow/config/v1/routing_rules.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/routing/v1/sla_escalation.pb.h"
#include "routing_rules_copy.h"
#include "common/testing/kafka_test_client.h"
#include "common/testing/paths.h"
#include "common/testing/temp_dir.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace rv1 = leadflow::routing::v1;
using std::chrono::seconds;

constexpr char kEmail[] = "cio@laddercorp.ru";
constexpr char kSlaTimeScale[] = "120";
constexpr int64_t kScaledMinuteMs = 60000 / 120;

// A copy of config/ in `dir` whose key-accounts team climbs a known ladder
// (60 business minutes; remind at 50 %, escalate to TEAM_LEAD, 30 minutes of
// grace) with no calendar: business time is plain time whenever this runs.
bool WriteConfig(const testing::TempDir& dir, std::string* error) {
  return CopyConfigWithRoutingRules(
      dir,
      [](leadflow::config::v1::RoutingRules& rules) {
        for (auto& team : *rules.mutable_teams()) {
          if (team.team_id() != "key-accounts") continue;
          team.set_sla_business_minutes(60);
          team.clear_business_hours();
          team.set_enforce_working_hours(false);
          for (auto& rep : *team.mutable_reps()) rep.clear_hours();
          auto* ladder = team.mutable_sla_ladder();
          ladder->set_remind_at_pct(50);
          ladder->set_escalate_to("TEAM_LEAD");
          ladder->set_reassign_grace_business_minutes(30);
        }
      },
      error);
}

int64_t Ms(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

class SlaLadderE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    dir_ = testing::TempDir::Create("leadflow-sla-ladder", &error);
    ASSERT_TRUE(dir_) << error;
    ASSERT_TRUE(WriteConfig(*dir_, &error)) << error;
    StackOptions opts;
    opts.config_dir = dir_->path();
    opts.env["routing"]["LEADFLOW_ROUTING_SLA_TIME_SCALE"] = kSlaTimeScale;
    stack_ = Stack::Start(opts, &error);
    ASSERT_TRUE(stack_) << error;
    kafka_ = std::make_unique<testing::KafkaTestClient>(stack_->bootstrap());
  }

  template <typename T>
  std::vector<T> Read(const char* topic, size_t at_least) {
    std::vector<T> out;
    for (const auto& m : kafka_->ConsumeAll(topic, at_least, seconds(2))) {
      T e;
      if (e.ParseFromString(m.value)) out.push_back(e);
    }
    return out;
  }

  // The ladder's steps of `lead_id`, in topic order (one partition per lead).
  std::vector<rv1::SlaEscalation> Steps(const std::string& lead_id, size_t at_least) {
    std::vector<rv1::SlaEscalation> out;
    for (auto& e : Read<rv1::SlaEscalation>(topics::kSlaEscalations, at_least)) {
      if (e.lead_id() == lead_id) out.push_back(e);
    }
    return out;
  }

  std::vector<rv1::LeadAssigned> Assignments(const std::string& lead_id, size_t at_least) {
    std::vector<rv1::LeadAssigned> out;
    for (auto& a : Read<rv1::LeadAssigned>(topics::kLeadsAssigned, at_least)) {
      if (a.scored().lead().meta().lead_id() == lead_id) out.push_back(a);
    }
    return out;
  }

  double StepCount(const std::string& step) {
    return MetricValue(
        stack_->ports("routing").admin,
        R"(leadflow_routing_sla_steps_total{step=")" + step + R"(",team="key-accounts"})");
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<Stack> stack_;
  std::unique_ptr<testing::KafkaTestClient> kafka_;
};

TEST_F(SlaLadderE2E, RemindEscalateReassignFireInOrderOnAScaledClockAcrossARoutingKill) {
  // 1. Assigned to key-accounts (the large-deal rule), never accepted.
  const std::string json =
      std::string(R"({"source_id":"web-form-main","email":")") + kEmail +
      R"(","company_name":"LadderCorp","job_title":"CIO","industry":"manufacturing",)"
      R"("headcount":500,"region":"RU-MOW","annual_revenue_rub":"5000000000",)"
      R"("intent":"download_whitepaper","channel":"direct","consent":true,)"
      R"("expected_deal_rub":"80000000","answers":{"budget":"over_50m","need":"urgent",)"
      R"("timeline":"now"}})";
  ASSERT_TRUE(kafka_
                  ->ProduceSync(topics::kLeadsSubmitted, kEmail, json,
                                {{topics::kContentTypeHeader, "application/json"}})
                  .ok);
  rv1::LeadAssigned a;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& r : Read<rv1::LeadAssigned>(topics::kLeadsAssigned, 1)) {
          if (r.scored().lead().contact().email() == kEmail) {
            a = r;
            return true;
          }
        }
        return false;
      },
      seconds(60)))
      << stack_->Logs("routing");
  ASSERT_EQ(a.decision().team(), "key-accounts");
  ASSERT_EQ(a.decision().outcome(), rv1::ASSIGNED);
  const std::string lead_id = a.scored().lead().meta().lead_id();
  const std::string rep1 = a.decision().rep_id();
  const int64_t assigned_ms = Ms(a.decision().decided_at());
  // 60 business minutes, scaled: 30 s.
  EXPECT_EQ(Ms(a.sla_due_at()) - assigned_ms, 60 * kScaledMinuteMs);

  // 2. The reminder at 50 % of the SLA, before the deadline.
  std::vector<rv1::SlaEscalation> steps;
  ASSERT_TRUE(WaitFor([&] { return !(steps = Steps(lead_id, 1)).empty(); }, seconds(40)))
      << stack_->Logs("routing");
  ASSERT_EQ(steps[0].step(), rv1::SLA_STEP_REMINDER);
  EXPECT_EQ(steps[0].rep_id(), rep1);
  EXPECT_EQ(steps[0].team(), "key-accounts");
  EXPECT_EQ(Ms(steps[0].due_at()), assigned_ms + 30 * kScaledMinuteMs);
  EXPECT_GE(Ms(steps[0].at()), Ms(steps[0].due_at()));
  EXPECT_LT(Ms(steps[0].at()), Ms(a.sla_due_at()));
  EXPECT_EQ(Assignments(lead_id, 1).size(), 1u);

  // 3. Routing dies without a shutdown and comes back: the ladder is in Redis.
  EXPECT_EQ(stack_->Kill("routing"), 137);
  std::string error;
  ASSERT_TRUE(stack_->Restart("routing", &error)) << error;

  // 4. The escalation at the deadline; the lead stays with its rep meanwhile.
  ASSERT_TRUE(WaitFor([&] { return (steps = Steps(lead_id, 2)).size() >= 2; }, seconds(40)))
      << stack_->Logs("routing");
  EXPECT_EQ(steps[0].step(), rv1::SLA_STEP_REMINDER);
  ASSERT_EQ(steps[1].step(), rv1::SLA_STEP_ESCALATION);
  EXPECT_EQ(steps[1].escalate_to(), "TEAM_LEAD");
  EXPECT_EQ(steps[1].rep_id(), rep1);
  EXPECT_EQ(Ms(steps[1].due_at()), Ms(a.sla_due_at()));
  EXPECT_GE(Ms(steps[1].at()), Ms(a.sla_due_at()));
  EXPECT_EQ(Assignments(lead_id, 1).size(), 1u) << "re-assigned before the grace ran out";

  // 5. Re-assigned after the grace (30 business minutes: 15 s after the deadline).
  std::vector<rv1::LeadAssigned> assigned;
  ASSERT_TRUE(
      WaitFor([&] { return (assigned = Assignments(lead_id, 2)).size() >= 2; }, seconds(40)))
      << stack_->Logs("routing");
  ASSERT_EQ(assigned.size(), 2u);
  EXPECT_EQ(assigned[1].decision().outcome(), rv1::REASSIGNED);
  EXPECT_NE(assigned[1].decision().rep_id(), rep1);
  EXPECT_GE(Ms(assigned[1].decision().decided_at()), Ms(a.sla_due_at()) + 30 * kScaledMinuteMs);
  ASSERT_TRUE(WaitFor([&] { return (steps = Steps(lead_id, 3)).size() >= 3; }, seconds(20)))
      << stack_->Logs("routing");
  ASSERT_EQ(steps.size(), 3u) << "a step fired twice";
  EXPECT_EQ(steps[2].step(), rv1::SLA_STEP_REASSIGNED);
  EXPECT_EQ(steps[2].rep_id(), rep1);
  EXPECT_EQ(steps[2].new_rep_id(), assigned[1].decision().rep_id());
  EXPECT_LT(Ms(steps[0].at()), Ms(steps[1].at()));
  EXPECT_LE(Ms(steps[1].at()), Ms(steps[2].at()));

  // The escalation and re-assignment were counted by the restarted process
  // (the reminder by the one that was killed).
  EXPECT_TRUE(WaitFor([&] { return StepCount("escalation") == 1 && StepCount("reassigned") == 1; },
                      seconds(10)))
      << StepCount("escalation") << " " << StepCount("reassigned");
}

}  // namespace
}  // namespace leadflow::e2e

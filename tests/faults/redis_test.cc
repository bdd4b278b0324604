// Fault 3: Redis (AOF on) restarted while leads flow. Services see
// kUnavailable, back off and reconnect on their own; afterwards nothing is
// lost or duplicated, the capacity claims match the assignments, and the
// dedupe state survived (a lead re-submitted after the restart is a duplicate,
// not a second lead).
#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

#include "common/config/proto_loader.h"
#include "leadflow/config/v1/routing_rules.pb.h"
#include "common/testing/paths.h"
#include "tests/faults/fault_harness.h"

namespace leadflow::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(FaultRedis, RestartUnderLoadKeepsCapacityAndDedupeInvariants) {
  std::string error;
  e2e::StackOptions opts;
  opts.redis_appendonly = true;
  auto stack = e2e::Stack::Start(opts, &error);
  ASSERT_TRUE(stack) << error;
  testing::KafkaTestClient kafka(stack->bootstrap());
  ASSERT_TRUE(PublishRegistry(*stack, kafka)) << stack->Logs("intake");

  const auto plan = MakeLeads(300, "redis");
  int produced_at_restart = 0;
  {
    LeadProducer producer(stack->bootstrap(), plan, 60);
    std::this_thread::sleep_for(milliseconds(2000));
    produced_at_restart = producer.produced();
    ASSERT_TRUE(stack->redis().Restart(&error)) << error;
    ASSERT_TRUE(producer.Wait(seconds(60)));
  }
  Tally t = WaitForAll(kafka, plan, seconds(90));
  std::printf("[redis] restarted Redis after %d leads produced\n%s\n", produced_at_restart,
              t.Summary("redis").c_str());
  EXPECT_GT(produced_at_restart, 0);
  EXPECT_LT(produced_at_restart, 300) << "the restart must land mid-stream";
  EXPECT_EQ(t.lost, 0) << t.examples << TraceLost(kafka, t) << ServiceWarnings(*stack);
  EXPECT_EQ(t.duplicates, 0) << t.examples;
  EXPECT_EQ(t.misrouted, 0) << t.examples;
  EXPECT_EQ(CheckRepClaims(*stack, t), "");

  // Dedupe survived the restart: the first 60 leads again (same contact,
  // source and window) yield no new lead and no second final output.
  const int64_t accepted_before = kafka.CountMessages("leads.accepted");
  const int64_t engagement_before = kafka.CountMessages("engagement.events");
  std::vector<PlannedLead> again(plan.begin(), plan.begin() + 60);
  {
    LeadProducer producer(stack->bootstrap(), again, 0);
    ASSERT_TRUE(producer.Wait(seconds(30)));
  }
  std::this_thread::sleep_for(seconds(3));
  const Tally after = WaitForAll(kafka, plan, seconds(30));
  std::printf("%s\n[redis] leads.accepted %lld -> %lld, engagement.events %lld -> %lld\n",
              after.Summary("redis, after re-submitting 60 leads").c_str(),
              static_cast<long long>(accepted_before),
              static_cast<long long>(kafka.CountMessages("leads.accepted")),
              static_cast<long long>(engagement_before),
              static_cast<long long>(kafka.CountMessages("engagement.events")));
  EXPECT_EQ(kafka.CountMessages("leads.accepted"), accepted_before) << "a re-submission became a new lead";
  EXPECT_GT(kafka.CountMessages("engagement.events"), engagement_before);
  EXPECT_EQ(after.duplicates, 0) << after.examples;
  EXPECT_EQ(after.lost, 0) << after.examples << TraceLost(kafka, after) << ServiceWarnings(*stack);
  EXPECT_EQ(after.lead_ids.size(), t.lead_ids.size());
  EXPECT_EQ(CheckRepClaims(*stack, after), "");
  for (const auto& s : e2e::Stack::ServiceNames()) {
    int status = 0;
    e2e::HttpGet(stack->ports(s).admin, "/readyz", &status);
    EXPECT_EQ(status, 200) << s << " did not recover\n" << stack->Logs(s);
  }
}

// Every rep's leads on the topic within its caps (the whole test is one day,
// so daily_cap bounds them too); "" when all hold.
std::string CheckRepCaps(const Tally& t) {
  leadflow::config::v1::RoutingRules rules;
  Status s = config::LoadProtoFile(testing::SourcePath("config/routing_rules.json"), &rules);
  if (!s.ok()) return s.message();
  std::map<std::string, std::pair<int, int>> caps;  // rep -> (max_open_leads, daily_cap)
  for (const auto& team : rules.teams()) {
    for (const auto& rep : team.reps()) caps[rep.rep_id()] = {rep.max_open_leads(), rep.daily_cap()};
  }
  std::string problems;
  for (const auto& [rep, ids] : t.rep_leads) {
    auto it = caps.find(rep);
    if (it == caps.end()) continue;  // an account owner: no caps (owner precedence)
    const int n = static_cast<int>(ids.size());
    if (n > it->second.first || n > it->second.second) {
      problems += rep + ": " + std::to_string(n) + " leads, max_open_leads " +
                  std::to_string(it->second.first) + ", daily_cap " +
                  std::to_string(it->second.second) + "\n";
    }
  }
  return problems;
}

// Fault 3b: Redis loses all its data (FLUSHALL, no persistence to come back
// from) while leads flow. The services detect it, refuse and retry while the
// registry views rebuild from accounts.changes and routing rebuilds its state
// from its topics; afterwards nothing is lost, no customer is taken for a
// prospect, no lead has two owners, and no rep is over its caps.
TEST(FaultRedis, FlushAllUnderLoadLosesNothingAndOverfillsNoRep) {
  std::string error;
  auto stack = e2e::Stack::Start(&error);
  ASSERT_TRUE(stack) << error;
  testing::KafkaTestClient kafka(stack->bootstrap());
  ASSERT_TRUE(PublishRegistry(*stack, kafka)) << stack->Logs("intake");

  const auto plan = MakeLeads(400, "flush");
  int produced_at_flush = 0;
  {
    LeadProducer producer(stack->bootstrap(), plan, 80);
    std::this_thread::sleep_for(milliseconds(2500));
    produced_at_flush = producer.produced();
    ASSERT_TRUE(stack->redis().Command({"FLUSHALL"}).has_value());
    ASSERT_TRUE(producer.Wait(seconds(60)));
  }
  Tally t = WaitForAll(kafka, plan, seconds(120));
  std::printf("[flushall] Redis emptied after %d leads produced\n%s\n", produced_at_flush,
              t.Summary("flushall").c_str());
  EXPECT_GT(produced_at_flush, 0);
  EXPECT_LT(produced_at_flush, 400) << "the flush must land mid-stream";
  EXPECT_EQ(t.lost, 0) << t.examples << TraceLost(kafka, t) << ServiceWarnings(*stack);
  EXPECT_EQ(t.duplicates, 0) << t.examples;  // includes two reps for one lead
  EXPECT_EQ(t.misrouted, 0) << t.examples;   // includes a customer taken for a prospect
  EXPECT_EQ(CheckRepCaps(t), "");
  EXPECT_EQ(CheckRepClaims(*stack, t), "");  // the rebuilt open counters and sets
  EXPECT_GE(e2e::MetricValue(stack->ports("routing").admin, "leadflow_routing_state_rebuilds_total"), 2)
      << "start and after the flush";
  EXPECT_GE(e2e::MetricValue(stack->ports("intake").admin,
                   "leadflow_intake_view_rebuilds_total{cause=\"reset\",view=\"accounts\"}"),
            1);
  for (const auto& s : e2e::Stack::ServiceNames()) {
    int status = 0;
    e2e::HttpGet(stack->ports(s).admin, "/readyz", &status);
    EXPECT_EQ(status, 200) << s << " did not recover\n" << stack->Logs(s);
  }
}

}  // namespace
}  // namespace leadflow::faults

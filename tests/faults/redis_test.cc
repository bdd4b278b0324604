// Fault 3: Redis (AOF on) restarted while leads flow. Services see
// kUnavailable, back off and reconnect on their own; afterwards nothing is
// lost or duplicated, the capacity claims match the assignments, and the
// dedupe state survived (a lead re-submitted after the restart is a duplicate,
// not a second lead).
#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

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
    e2e::HttpGet(stack->ports(s).http, "/readyz", &status);
    EXPECT_EQ(status, 200) << s << " did not recover\n" << stack->Logs(s);
  }
}

}  // namespace
}  // namespace leadflow::faults

// Fault 1: services killed with SIGKILL mid-stream and restarted, shared by
// the fast (few hundred leads) and long (10,000 leads) variants.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "tests/faults/fault_harness.h"

namespace leadflow::faults {

// Streams `leads` leads at `per_second` and, while they flow, kills each of
// `victims` in turn with SIGKILL (`gap` apart) and restarts it 300 ms later.
// Then every lead must have exactly one final output, no rep's claim
// counters may disagree with the assignments, and no touch id may repeat.
inline void RunKillRestart(const std::string& name, int leads, int per_second,
                           const std::vector<std::string>& victims, std::chrono::milliseconds gap,
                           std::chrono::seconds drain_timeout) {
  std::string error;
  auto stack = e2e::Stack::Start(&error);
  ASSERT_TRUE(stack) << error;
  testing::KafkaTestClient kafka(stack->bootstrap());
  ASSERT_TRUE(PublishRegistry(*stack, kafka)) << stack->Logs("intake");

  const auto plan = MakeLeads(leads, name);
  LeadProducer producer(stack->bootstrap(), plan, per_second);
  std::this_thread::sleep_for(gap);
  for (const auto& victim : victims) {
    EXPECT_EQ(stack->Kill(victim), 137) << victim;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_TRUE(stack->Restart(victim, &error)) << error;
    std::printf("[%s] killed and restarted %s after %d leads produced\n", name.c_str(),
                victim.c_str(), producer.produced());
    std::this_thread::sleep_for(gap);
  }
  ASSERT_TRUE(producer.Wait(std::chrono::seconds(600)));

  const Tally t = WaitForAll(kafka, plan, drain_timeout);
  int64_t touches = 0;
  const int64_t dup_touches = DuplicateTouchIds(kafka, &touches);
  const std::string claims = CheckRepClaims(*stack, t);
  std::printf("%s\n[%s] touches: %lld, duplicate touch ids: %lld, reps with claims: %zu\n",
              t.Summary(name).c_str(), name.c_str(), static_cast<long long>(touches),
              static_cast<long long>(dup_touches), t.rep_leads.size());
  EXPECT_EQ(t.lost, 0) << t.examples;
  EXPECT_EQ(t.duplicates, 0) << t.examples;
  EXPECT_EQ(t.misrouted, 0) << t.examples;
  EXPECT_EQ(t.leads_out, t.leads_in);
  EXPECT_EQ(dup_touches, 0);
  EXPECT_GT(touches, 0);
  EXPECT_GT(t.assigned, 0) << "the mix must exercise rep claims";
  EXPECT_EQ(claims, "");
  for (const auto& s : e2e::Stack::ServiceNames()) {
    const std::string m = e2e::HttpGet(stack->ports(s).admin, "/metrics");
    EXPECT_EQ(m.find("leadflow_audience_violations_total 1"), std::string::npos) << s;
  }
}

}  // namespace leadflow::faults

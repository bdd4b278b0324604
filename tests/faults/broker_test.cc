// Fault 2: one of three brokers down for 10 s under load, on top of injected
// Produce and Fetch request errors. Services retry (the idempotent producer
// and the consumer loop's backoff), report unready on /readyz while a batch
// cannot finish, recover without a restart, and lose nothing.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <thread>

#include "tests/faults/fault_harness.h"

namespace leadflow::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kRequestTimedOut = 7;
constexpr int kNotLeader = 6;
constexpr int kNotEnoughReplicas = 19;

TEST(FaultBroker, BrokerDownTenSecondsWithRequestErrorsLosesNothing) {
  std::string error;
  e2e::StackOptions opts;
  opts.kafka_brokers = 3;
  auto stack = e2e::Stack::Start(opts, &error);
  ASSERT_TRUE(stack) << error;
  testing::KafkaTestClient kafka(stack->bootstrap());
  ASSERT_TRUE(PublishRegistry(*stack, kafka)) << stack->Logs("intake");
  std::map<std::string, pid_t> pids;
  for (const auto& s : e2e::Stack::ServiceNames()) pids[s] = stack->pid(s);

  const auto plan = MakeLeads(400, "broker");
  std::map<std::string, int> unready_polls;
  int outage_polls = 0;
  {
    LeadProducer producer(stack->bootstrap(), plan, 60, 4);
    std::this_thread::sleep_for(milliseconds(1500));
    ASSERT_TRUE(stack->kafka().PushRequestErrors(
        0, {kRequestTimedOut, kNotEnoughReplicas, kRequestTimedOut, kNotEnoughReplicas}, &error))
        << error;
    ASSERT_TRUE(stack->kafka().PushRequestErrors(1, {kNotLeader, kRequestTimedOut, kNotLeader},
                                                 &error))
        << error;
    std::this_thread::sleep_for(milliseconds(1000));
    ASSERT_TRUE(stack->kafka().BrokerDown(2, &error)) << error;
    const auto up_at = std::chrono::steady_clock::now() + seconds(10);
    while (std::chrono::steady_clock::now() < up_at) {
      ++outage_polls;
      for (const auto& s : e2e::Stack::ServiceNames()) {
        int status = 0;
        e2e::HttpGet(stack->ports(s).http, "/readyz", &status);
        if (status != 200) ++unready_polls[s];
      }
      std::this_thread::sleep_for(milliseconds(250));
    }
    ASSERT_TRUE(stack->kafka().BrokerUp(2, &error)) << error;
    // Ready again without a restart.
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(WaitUntil(
        [&] {
          for (const auto& s : e2e::Stack::ServiceNames()) {
            int status = 0;
            e2e::HttpGet(stack->ports(s).http, "/readyz", &status);
            if (status != 200) return false;
          }
          return true;
        },
        seconds(60)));
    std::printf("[broker] all services ready %.1f s after the broker came back\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    ASSERT_TRUE(producer.Wait(seconds(120)));
  }
  const Tally t = WaitForAll(kafka, plan, seconds(120));
  std::printf("%s\n", t.Summary("broker").c_str());
  for (const auto& s : e2e::Stack::ServiceNames()) {
    std::printf("[broker] %s unready in %d of %d polls during the outage\n", s.c_str(),
                unready_polls[s], outage_polls);
    EXPECT_EQ(stack->pid(s), pids[s]) << s << " was restarted";
  }
  int total_unready = 0;
  for (const auto& [s, n] : unready_polls) total_unready += n;
  EXPECT_GT(total_unready, 0) << "no service reported unready while it could not make progress";
  EXPECT_EQ(t.lost, 0) << t.examples;
  EXPECT_EQ(t.duplicates, 0) << t.examples;
  EXPECT_EQ(t.misrouted, 0) << t.examples;
  EXPECT_EQ(CheckRepClaims(*stack, t), "");
}

}  // namespace
}  // namespace leadflow::faults

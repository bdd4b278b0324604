// Fault 5: leads produced faster than the pipeline handles them. The
// services' consumer lag (their own leadflow_<svc>_consumer_lag_messages
// gauges) grows, then drains to zero with every lead out; no service crashes or restarts, and every service's
// resident memory stays bounded (every queue is bounded: batches of 500,
// librdkafka's fetch and produce queues).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <thread>

#include "common/kafka/topics.h"
#include "tests/faults/fault_harness.h"

namespace leadflow::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kLeads = 10000;
constexpr int64_t kRssLimitKb = 512 * 1024;

TEST(FaultOverload, BacklogGrowsThenDrainsWithBoundedMemory) {
  // The lag gauges come from librdkafka statistics; every 500 ms here (5 s
  // shipped) so a backlog that drains within seconds is still seen.
  e2e::StackOptions options;
  for (const auto& s : e2e::Stack::ServiceNames()) {
    options.env[s]["LEADFLOW_KAFKA_PROPERTIES"] = "statistics.interval.ms=500";
  }
  std::string error;
  auto stack = e2e::Stack::Start(options, &error);
  ASSERT_TRUE(stack) << error;
  testing::KafkaTestClient kafka(stack->bootstrap());
  ASSERT_TRUE(PublishRegistry(*stack, kafka)) << stack->Logs("intake");
  const auto plan = MakeLeads(kLeads, "overload");
  std::map<std::string, pid_t> pids;
  std::map<std::string, int64_t> rss_start, rss_max;  // rss_max: written by the sampler only
  for (const auto& s : e2e::Stack::ServiceNames()) {
    pids[s] = stack->pid(s);
    rss_start[s] = rss_max[s] = RssKb(pids[s]);
  }

  auto lag = [&] {
    return ConsumerLag(*stack, "intake", topics::kLeadsSubmitted) +
           ConsumerLag(*stack, "scoring", topics::kLeadsAccepted) +
           ConsumerLag(*stack, "routing", topics::kLeadsScored) +
           ConsumerLag(*stack, "nurture", topics::kLeadsNurture);
  };
  // The gauges and RSS are sampled on their own thread, every 100 ms: the
  // drain check below reads every output topic and takes about a second,
  // longer than a stage's backlog lasts now that each stage drains thousands
  // of leads a second (sampled between those checks, a backlog of 8,700 was
  // missed in 2 of 3 runs).
  std::atomic<int64_t> max_lag{0};
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      const int64_t now = lag();
      max_lag = std::max(max_lag.load(), now);
      for (const auto& s : e2e::Stack::ServiceNames()) {
        rss_max[s] = std::max(rss_max[s], RssKb(pids[s]));
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
  });
  int64_t final_lag = -1;
  const auto t0 = std::chrono::steady_clock::now();
  double drained_s = -1;
  bool produced_all = false;
  {
    LeadProducer producer(stack->bootstrap(), plan, 0, 16);
    const auto deadline = t0 + seconds(90);
    while (std::chrono::steady_clock::now() < deadline) {
      // Drained: everything produced, every lead out, and the services' own
      // lag gauges back to zero.
      if (producer.done() && lag() == 0 && Collect(kafka, plan).lost == 0 && lag() == 0) {
        final_lag = 0;
        drained_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        break;
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
    if (final_lag != 0) final_lag = lag();
    produced_all = producer.Wait(seconds(10));
  }
  sampling = false;
  sampler.join();
  ASSERT_TRUE(produced_all);
  const Tally t = WaitForAll(kafka, plan, seconds(60));
  for (const char* topic : {topics::kLeadsSubmitted, topics::kLeadsAccepted, topics::kLeadsScored,
                            topics::kLeadsAssigned, topics::kLeadsNurture, topics::kAccountsInbound,
                            topics::kLeadsRejected}) {
    std::printf("[overload] %s: %lld records\n", topic,
                static_cast<long long>(kafka.CountMessages(topic, seconds(10))));
  }
  std::printf("%s\n[overload] %d leads as fast as possible: max consumer lag (sum over the four "
              "services' main inputs) %lld, drained (every lead out, lag 0) after %.1f s\n",
              t.Summary("overload").c_str(), kLeads, static_cast<long long>(max_lag.load()), drained_s);
  for (const auto& s : e2e::Stack::ServiceNames()) {
    std::printf("[overload] %s RSS %lld kB at start, %lld kB max\n", s.c_str(),
                static_cast<long long>(rss_start[s]), static_cast<long long>(rss_max[s]));
    EXPECT_LT(rss_max[s], kRssLimitKb) << s;
    EXPECT_EQ(stack->pid(s), pids[s]) << s << " restarted";
    int status = 0;
    e2e::HttpGet(stack->ports(s).admin, "/readyz", &status);
    EXPECT_EQ(status, 200) << s;
  }
  EXPECT_GT(max_lag, 300) << "the load did not exceed the pipeline's capacity";
  EXPECT_EQ(final_lag, 0);
  EXPECT_GT(drained_s, 0) << "the backlog did not drain";
  EXPECT_EQ(t.lost, 0) << t.examples << TraceLost(kafka, t) << ServiceWarnings(*stack);
  EXPECT_EQ(t.duplicates, 0) << t.examples;
  EXPECT_EQ(t.misrouted, 0) << t.examples;
  EXPECT_EQ(CheckRepClaims(*stack, t), "");
}

}  // namespace
}  // namespace leadflow::faults
